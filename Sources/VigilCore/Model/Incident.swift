import Foundation

/// The current view of one incident: the projection of its events.
///
/// The events are the record; this struct is what queries and replies read. The store keeps it
/// beside the events and updates both in one transaction.
public struct Incident: Sendable, Equatable {
    /// The incident number: `INC-42` is 42.
    public var number: Int
    public var title: String
    public var severity: String
    public var category: String
    public var state: IncidentState
    /// The escalation level, 1 for the first responders.
    public var level: Int
    public var owner: UserRef?
    public var reporter: UserRef
    /// Where it was opened: the platform (`slack`, `mattermost`) and channel name.
    public var platform: String
    public var channel: String
    public var openedAt: Date
    /// When the team learned of it; legal clocks start here. Equal to `openedAt` unless given.
    public var knownAt: Date
    public var acknowledgedAt: Date?
    public var acknowledgedBy: UserRef?
    public var resolvedAt: Date?
    public var resolvedBy: UserRef?
    public var resolution: String?
    /// External references such as a Zendesk ticket (`ZD-88213`).
    public var refs: [String]
    /// The playbooks attached, the first (the primary) first: `playbook <id> add` attaches more,
    /// each with its own steps and legal clock.
    public var playbooks: [AttachedPlaybook]
    /// What has happened to the playbook's steps, in the order it happened.
    public var steps: [StepRecord]
    /// Copied from the category at opening: restricted incidents are never described in open channels.
    public var restricted: Bool
    /// When the incident was last reopened (`nil` if never): its current response cycle, and so
    /// its acknowledge and resolve targets, start there instead of at `knownAt`.
    public var reopenedAt: Date?
    /// The sequence number of the last event; the store's optimistic-concurrency check.
    public var lastSequence: Int
    /// The hash of the last event, which the next event chains onto.
    public var lastHash: String
    /// The legal hold on it (`hold`), if one stands: nothing it preserved is released meanwhile.
    public var legalHold: LegalHold?

    public init(
        number: Int, title: String, severity: String, category: String, state: IncidentState = .open,
        level: Int = 1, owner: UserRef? = nil, reporter: UserRef, platform: String, channel: String,
        openedAt: Date, knownAt: Date, acknowledgedAt: Date? = nil, acknowledgedBy: UserRef? = nil,
        resolvedAt: Date? = nil, resolvedBy: UserRef? = nil, resolution: String? = nil, refs: [String] = [],
        playbook: String? = nil, steps: [StepRecord] = [], restricted: Bool = false,
        lastSequence: Int = 0, lastHash: String = EventChain.genesis, reopenedAt: Date? = nil, playbooks: [AttachedPlaybook] = []
    ) {
        self.number = number
        self.title = title
        self.severity = severity
        self.category = category
        self.state = state
        self.level = level
        self.owner = owner
        self.reporter = reporter
        self.platform = platform
        self.channel = channel
        self.openedAt = openedAt
        self.knownAt = knownAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.resolution = resolution
        self.refs = refs
        self.playbooks = playbooks.isEmpty ? (playbook.map { [AttachedPlaybook(id: $0, attachedAt: openedAt)] } ?? []) : playbooks
        self.steps = steps
        self.restricted = restricted
        self.reopenedAt = reopenedAt
        self.lastSequence = lastSequence
        self.lastHash = lastHash
    }

    /// When the current response cycle started: the last reopen, or when the team learned of the
    /// incident. Time to acknowledge and time to resolve are measured from here, in replies, in
    /// clocks and in reports alike.
    public var cycleStartedAt: Date { reopenedAt ?? knownAt }

    /// The primary playbook's ID, if any: the one reports name.
    public var playbook: String? { playbooks.first?.id }
}

/// A playbook attached to an incident, and when: steps with no `after` open at that moment.
public struct AttachedPlaybook: Sendable, Hashable {
    public var id: String
    public var attachedAt: Date

    public init(id: String, attachedAt: Date) {
        self.id = id
        self.attachedAt = attachedAt
    }
}
