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
    /// A reply to one chat request sent through its per-request address (``OutboxTarget/reply(_:)``):
    /// the person who asked is waiting and the address expires within minutes, so it goes first,
    /// is never folded and never waits for a channel's budget.
    case reply = 60
    /// Earlier posts edited down because the incident became restricted: the sooner a title
    /// leaves the channels the better, so it goes first, never folded, never waiting.
    case redaction = 70

    /// Alerts a budget may fold into a summary when a channel is over it.
    public var isCoalescable: Bool {
        switch self {
        case .warning, .escalation, .breach: true
        case .other, .summary, .legalBreach, .reply, .redaction: false
        }
    }

    /// Posts the budget never holds back (they still use its room).
    public var bypassesBudget: Bool { self == .legalBreach || self == .summary || self == .reply || self == .redaction }

    public static func < (lhs: OutboxPriority, rhs: OutboxPriority) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where an outbox row goes.
public enum OutboxTarget: Sendable, Equatable {
    /// A channel, by role: its webhook or the console, as config `channels:` says.
    case channel(ChannelRole)
    /// One chat request's own address, with the reply rendered for it (a deferred reply).
    case reply(ReplyDestination)
    /// A direct page to one person or pager service (``Page``), outside every channel's budget.
    case page(Page)
    /// Every earlier post Vigil made about the incident, edited down to the row's message (the
    /// incident became restricted): on platforms where Vigil posts as an app and can edit.
    case redaction
    /// The incident's own channel: made if need be, people invited, the row's message posted
    /// as its brief in a channel just made (``RoomRequest``).
    case room(RoomRequest)
}

/// A message the core wants posted to a channel, or a reply to one chat request; the store keeps
/// it as an outbox row (a channel post in the same transaction as the events that caused it) and
/// the delivery service posts it.
public struct OutboxItem: Sendable, Equatable {
    public var target: OutboxTarget
    public var incident: Int?
    /// The message of a channel post; empty for a reply, whose body is rendered in its destination.
    public var message: Message
    /// How urgent it is; decides delivery order and whether a flood may fold it into a summary.
    public var priority: OutboxPriority

    /// The channel of a channel post; `nil` for a reply.
    public var channel: ChannelRole? {
        if case let .channel(role) = target { return role }
        return nil
    }

    /// The destination of a reply; `nil` for a channel post.
    public var destination: ReplyDestination? {
        if case let .reply(destination) = target { return destination }
        return nil
    }

    /// The page, for a direct page; `nil` otherwise.
    public var page: Page? {
        if case let .page(page) = target { return page }
        return nil
    }

    /// Any row, as the store reads it back.
    public init(target: OutboxTarget, incident: Int?, message: Message, priority: OutboxPriority) {
        self.target = target
        self.incident = incident
        self.message = message
        self.priority = priority
    }

    /// A channel post.
    public init(channel: ChannelRole, incident: Int?, message: Message, priority: OutboxPriority = .other) {
        self.init(target: .channel(channel), incident: incident, message: message, priority: priority)
    }

    /// A direct page about `incident`.
    public init(page: Page, incident: Int, message: Message, priority: OutboxPriority) {
        self.init(target: .page(page), incident: incident, message: message, priority: priority)
    }

    /// A reply sent to `destination`, with priority ``OutboxPriority/reply``.
    public init(reply destination: ReplyDestination, incident: Int? = nil) {
        self.init(target: .reply(destination), incident: incident, message: Message(lines: []), priority: .reply)
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
