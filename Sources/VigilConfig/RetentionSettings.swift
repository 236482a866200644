/// How long records kept only for a while are kept (`retention:` in `vigil.yaml`). Incidents,
/// their events and undelivered or dead-lettered posts are never pruned.
public struct RetentionSettings: Sendable, Equatable {
    /// Idempotency records (a request ID, its reply, its sender and hash): after this long a
    /// repeat of the request ID is no longer recognised.
    public var requests: Duration
    /// Channel posts, once delivered.
    public var deliveredPosts: Duration

    /// The defaults: 30 days each.
    public static let defaults = RetentionSettings()

    public init(requests: Duration = .seconds(30 * 86_400), deliveredPosts: Duration = .seconds(30 * 86_400)) {
        self.requests = requests
        self.deliveredPosts = deliveredPosts
    }
}
