import VigilCore
import Yams

/// `retention:`, how long idempotency records and delivered posts are kept; both optional:
///
/// ```yaml
/// retention: {requests: 30d, delivered_posts: 30d}
/// ```
extension ConfigurationDecoder {
    static let retentionKeys = ["requests", "delivered_posts"]

    /// Shorter than a day would forget a request ID a platform may still retry, or a post before
    /// anyone could look into it; longer than ten years is keeping it for good.
    static let retentionRange: ClosedRange<Duration> = .seconds(86_400) ... .seconds(3_650 * 86_400)

    func retention(_ node: Node?) -> RetentionSettings {
        var settings = RetentionSettings.defaults
        guard let node, let fields = reader.fields(of: node, at: "retention", known: Self.retentionKeys) else {
            return settings
        }
        if let value = fields["requests"],
           let kept = boundedDuration(value, at: "retention.requests", within: Self.retentionRange)
        {
            settings.requests = kept
        }
        if let value = fields["delivered_posts"],
           let kept = boundedDuration(value, at: "retention.delivered_posts", within: Self.retentionRange)
        {
            settings.deliveredPosts = kept
        }
        return settings
    }
}
