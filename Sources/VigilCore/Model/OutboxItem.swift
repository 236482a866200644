/// The channels Vigil posts to, by role; config `channels:` maps each to a webhook or the console.
public enum ChannelRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every lifecycle change is announced here.
    case incidents
    /// Escalations, warnings and breach alerts.
    case oncall
    /// Digests and reports for leads.
    case leads
}

/// How urgent a post is: the delivery service posts the most urgent first, and decides by it
/// which posts a channel's rate budget may fold into one summary.
///
/// The raw value is stored on the outbox row; higher is more urgent. Values leave gaps so a
/// later kind can sit between two without renumbering stored rows.
public enum OutboxPriority: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// Lifecycle announcements, digests, hand-offs: anything that is not an alert. Paced by the
    /// budget (it waits for room) and folded only in an extreme flood.
    case other = 0
    /// An SLA warning (a target coming due).
    case warning = 10
    /// An automatic escalation or its re-notification at the top level.
    case escalation = 20
    /// A breach (or repeat) of an ack, resolve or step target.
    case breach = 30
    /// The post that stands for the alerts a channel's budget folded: outside the budget, at
    /// most one per channel per window.
    case summary = 40
    /// A breach of a legal clock: never folded into a summary, never held back by the budget.
    case legalBreach = 50

    /// Alerts a budget may fold into a summary when a channel is over it.
    public var isCoalescable: Bool {
        switch self {
        case .warning, .escalation, .breach: true
        case .other, .summary, .legalBreach: false
        }
    }

    /// Posts the budget never holds back (they still use its room).
    public var bypassesBudget: Bool { self == .legalBreach || self == .summary }

    public static func < (lhs: OutboxPriority, rhs: OutboxPriority) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A message the core wants posted to a channel; the store keeps it as an outbox row in the same
/// transaction as the events that caused it, and the delivery service posts it.
public struct OutboxItem: Sendable, Equatable {
    public var channel: ChannelRole
    public var incident: Int?
    public var message: Message
    /// How urgent it is; decides delivery order and whether a flood may fold it into a summary.
    public var priority: OutboxPriority

    public init(channel: ChannelRole, incident: Int?, message: Message, priority: OutboxPriority = .other) {
        self.channel = channel
        self.incident = incident
        self.message = message
        self.priority = priority
    }
}

/// A channel's rate budget: at most `posts` posts per sliding `window`. Over it, the delivery
/// service folds pending alerts into one summary post instead of queueing them all; config
/// `outbox: {channel_budget: 20, channel_window: 1m}`.
public struct ChannelBudget: Sendable, Equatable {
    public var posts: Int
    public var window: Duration

    public init(posts: Int = 20, window: Duration = .seconds(60)) {
        self.posts = posts
        self.window = window
    }

    /// More pending non-alert posts than this many windows' worth is an extreme flood: those are
    /// folded into the summary too rather than paced out over hours.
    public static let extremeFloodWindows = 10
}
