/// How the outbox delivery service retries a post: exponential backoff from `baseDelay`, capped
/// at `maxDelay`, dead-lettered after `maxAttempts` tries.
public struct OutboxSettings: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 8, baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(600)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }
}

/// How hard each store commit works to survive power loss.
public enum Durability: String, Sendable, Hashable, CaseIterable {
    /// Survives a process crash (SQLite WAL with `synchronous=NORMAL`).
    case normal
    /// Every commit is fsynced before the reply (`synchronous=FULL`).
    case full
}
