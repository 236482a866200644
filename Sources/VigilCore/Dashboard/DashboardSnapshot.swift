import Foundation

/// What the lead dashboard shows one viewer at one instant: the open incidents with their next
/// deadlines, the team's figures over recent periods, and the outbox's health.
///
/// Built from store reads and the policy, as of `now`; the app renders it. Redaction is decided
/// here, once: a restricted incident's row carries its ID, severity and category only, unless
/// the viewer holds the restricted role. The dashboard reaches its viewer alone (a signed-in
/// browser), like a private reply.
public struct DashboardSnapshot: Sendable, Equatable {
    /// One open incident.
    public struct Row: Sendable, Equatable {
        /// `INC-42`.
        public var id: String
        public var severity: String
        public var category: String
        public var restricted: Bool
        /// The details below are withheld: a restricted incident and a viewer not cleared for it.
        public var redacted: Bool
        public var title: String?
        public var state: IncidentState?
        /// The owner's display name (never used to decide anything).
        public var owner: String?
        /// The escalation level's name (`responders`, `lead`, …).
        public var level: String?
        public var progress: Progress?
        /// The running deadline due first (ack, resolve, step or legal).
        public var deadline: Deadline?
    }

    /// How far an incident's playbooks have come.
    public struct Progress: Sendable, Equatable {
        public var settled: Int
        public var total: Int
        /// The first open step's title, if one is open.
        public var current: String?
    }

    /// A running deadline.
    public struct Deadline: Sendable, Equatable {
        /// `ack`, `legal: NCMEC CyberTipline report`, `step “Freeze payouts”`.
        public var label: String
        public var dueAt: Date
        public var breached: Bool
        public var isLegal: Bool
    }

    /// The viewer, as signed in.
    public var viewer: UserRef
    /// Whether the viewer holds the restricted role.
    public var cleared: Bool
    public var now: Date
    public var rows: [Row]
    /// The figures of each period (the last 7 and 30 days), shortest first.
    public var reports: [KPIReport]
    public var outbox: StoreStatus

    /// - Parameters:
    ///   - open: the unresolved incidents with their clocks.
    ///   - reports: the periods' figures, shortest first.
    public init(
        open: [ListedIncident], reports: [KPIReport], outbox: StoreStatus, viewer: UserRef, policy: Policy, catalog: PlaybookCatalog,
        now: Date
    ) {
        self.viewer = viewer
        self.now = now
        self.reports = reports
        self.outbox = outbox
        let cleared = policy.mayReadRestricted(viewer)
        self.cleared = cleared
        let clockText = ClockText(text: IncidentText(policy: policy, now: now))
        rows = open.map { listed in
            let incident = listed.incident
            var row = Row(
                id: policy.displayID(incident.number), severity: incident.severity, category: incident.category,
                restricted: incident.restricted, redacted: incident.restricted && !cleared)
            guard !row.redacted else { return row }
            row.title = incident.title
            row.state = incident.state
            row.owner = incident.owner?.name
            row.level = policy.levelName(incident.level)
            let progresses = catalog.progresses(of: incident)
            if !progresses.isEmpty {
                row.progress = Progress(
                    settled: progresses.reduce(0) { $0 + $1.settledCount }, total: progresses.reduce(0) { $0 + $1.steps.count },
                    current: progresses.lazy.compactMap(\.current).first?.title)
            }
            if let next = listed.clocks.filter({ $0.state == .running && Self.deadlineKinds.contains($0.kind) }).min(by: {
                $0.dueAt < $1.dueAt
            }) {
                row.deadline = Deadline(
                    label: clockText.label(next, playbooks: progresses), dueAt: next.dueAt, breached: next.dueAt <= now,
                    isLegal: next.kind == .legal)
            }
            return row
        }
        .sorted(by: Self.urgency(policy))
    }

    /// The clocks that are deadlines someone can miss (not escalation timers or reminders).
    static let deadlineKinds: Set<ClockKind> = [.ack, .resolve, .step, .legal]

    /// Breached first, then by the next deadline, then by severity (policy order) and number.
    /// Redacted rows have no deadline here and sort by severity among the rest.
    static func urgency(_ policy: Policy) -> (Row, Row) -> Bool {
        let rank = Dictionary(policy.severities.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        return { a, b in
            let aBreached = a.deadline?.breached ?? false, bBreached = b.deadline?.breached ?? false
            if aBreached != bBreached { return aBreached }
            switch (a.deadline?.dueAt, b.deadline?.dueAt) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            let aRank = rank[a.severity] ?? Int.max, bRank = rank[b.severity] ?? Int.max
            if aRank != bRank { return aRank < bRank }
            return a.id.count != b.id.count ? a.id.count < b.id.count : a.id < b.id
        }
    }

    /// Rows whose next deadline has passed.
    public var breachedCount: Int { rows.filter { $0.deadline?.breached == true }.count }
}
