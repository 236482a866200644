/// How the outbox delivery service retries a post: exponential backoff from `baseDelay`, capped
/// at `maxDelay`, dead-lettered after `maxAttempts` tries; and each channel's rate budget:
/// at most `channelBudget` posts per `channelWindow`, alerts beyond it folded into one summary.
public struct OutboxSettings: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// `outbox.channel_budget`: posts per channel per window (default 20).
    public var channelBudget: Int
    /// `outbox.channel_window`: the budget's sliding window (default 1m).
    public var channelWindow: Duration

    public init(
        maxAttempts: Int = 8, baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(600), channelBudget: Int = 20,
        channelWindow: Duration = .seconds(60)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.channelBudget = channelBudget
        self.channelWindow = channelWindow
    }

    /// Bounds `vigil check` enforces: a budget of at least one post, a window from a second to a day.
    public static let channelBudgetRange = 1...10_000
    public static let channelWindowRange: ClosedRange<Duration> = .seconds(1) ... .seconds(86_400)
}

/// How hard each store commit works to survive power loss.
public enum Durability: String, Sendable, Hashable, CaseIterable {
    /// Survives a process crash (SQLite WAL with `synchronous=NORMAL`).
    case normal
    /// Every commit is fsynced before the reply (`synchronous=FULL`).
    case full
}
