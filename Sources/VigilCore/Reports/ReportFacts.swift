import Foundation

/// What a report asks the store for: one period, counted as of `asOf`.
///
/// The store answers with aggregates (counts, per-bucket tallies, the durations behind MTTA and
/// MTTR, the breaches) rather than incidents, so a report over a million incidents reads indexes
/// and sums rows without loading events.
public struct ReportQuery: Sendable, Equatable {
    /// The period's first instant (included).
    public var since: Date
    /// The last instant counted (excluded): the period's end, or now if earlier.
    public var asOf: Date
    /// The trend buckets' starts (ascending, the first at `since`).
    public var trendStarts: [Date]
    /// Upper bounds of the open backlog's age buckets, ascending; a last bucket takes the rest.
    public var backlogAges: [Duration]
    /// At most this many breaches are listed (all are counted).
    public var breachLimit: Int
    /// At most this many of the oldest open incidents are listed.
    public var oldestOpenLimit: Int

    public init(
        since: Date, asOf: Date, trendStarts: [Date], backlogAges: [Duration] = ReportQuery.standardBacklogAges,
        breachLimit: Int = 10, oldestOpenLimit: Int = 5
    ) {
        self.since = since
        self.asOf = asOf
        self.trendStarts = trendStarts
        self.backlogAges = backlogAges
        self.breachLimit = breachLimit
        self.oldestOpenLimit = oldestOpenLimit
    }

    /// Under 4 h, 4–24 h, 1–3 days, 3–7 days, 7–30 days, older.
    public static let standardBacklogAges: [Duration] = [.seconds(4 * 3600), .seconds(86_400), .seconds(3 * 86_400), .seconds(7 * 86_400), .seconds(30 * 86_400)]
}

/// A count of incidents of one severity and category.
public struct ClassCount: Sendable, Hashable {
    public var severity: String
    public var category: String
    public var count: Int

    public init(severity: String, category: String, count: Int) {
        self.severity = severity
        self.category = category
        self.count = count
    }
}

/// How the deadline clocks of one kind, severity and category that were decided in the period
/// came out. A clock is decided when it is met (stopped by its deadline, counted when it
/// stopped) or breached (its deadline passed first, counted at the deadline, whether it has
/// stopped since or still runs). Cancelled clocks and escalation timers are not deadlines.
public struct ClockTally: Sendable, Hashable {
    public var kind: ClockKind
    public var severity: String
    public var category: String
    public var met: Int
    public var breached: Int

    public init(kind: ClockKind, severity: String, category: String, met: Int, breached: Int) {
        self.kind = kind
        self.severity = severity
        self.category = category
        self.met = met
        self.breached = breached
    }
}

/// One breached clock, for the report's list of breaches.
public struct BreachRecord: Sendable, Hashable {
    public var incident: IncidentHeadline
    public var clock: String
    public var kind: ClockKind
    public var rule: String?
    public var dueAt: Date
    /// When the clock stopped, late; `nil` while it still runs.
    public var stoppedAt: Date?
    /// Breach alerts sent for it (the first and repeats).
    public var alertsSent: Int

    public init(incident: IncidentHeadline, clock: String, kind: ClockKind, rule: String?, dueAt: Date, stoppedAt: Date?, alertsSent: Int) {
        self.incident = incident
        self.clock = clock
        self.kind = kind
        self.rule = rule
        self.dueAt = dueAt
        self.stoppedAt = stoppedAt
        self.alertsSent = alertsSent
    }
}

/// The few facts a report line shows about an incident.
public struct IncidentHeadline: Sendable, Hashable {
    public var number: Int
    public var title: String
    public var restricted: Bool
    public var severity: String
    public var category: String
    public var state: IncidentState
    public var owner: UserRef?
    public var openedAt: Date

    public init(
        number: Int, title: String, restricted: Bool, severity: String, category: String, state: IncidentState, owner: UserRef?,
        openedAt: Date
    ) {
        self.number = number
        self.title = title
        self.restricted = restricted
        self.severity = severity
        self.category = category
        self.state = state
        self.owner = owner
        self.openedAt = openedAt
    }
}

/// The store's answer to a ``ReportQuery``: the raw figures a ``KPIReport`` is computed from.
///
/// Definitions (the same in chat, in exports and in the digest):
/// - *opened*: `opened_at` in the period; *resolved*: `resolved_at` in the period;
/// - *still open*: opened before `asOf` and not resolved by then;
/// - *time to acknowledge*: from the start of the response cycle (``Incident/cycleStartedAt``)
///   to the acknowledgement, or to the resolution for an incident resolved without one, for
///   incidents acknowledged (or so resolved) in the period; *time to resolve*: from the cycle's
///   start to the resolution, for incidents resolved in the period;
/// - *escalations*: `escalated` events in the period, automatic or by hand.
public struct ReportFacts: Sendable, Equatable {
    public var opened: [ClassCount]
    public var resolved: [ClassCount]
    /// Milliseconds to acknowledge, by severity.
    public var acknowledgeTimes: [String: [Int64]]
    /// Milliseconds to resolve, by severity.
    public var resolveTimes: [String: [Int64]]
    public var clocks: [ClockTally]
    /// Legal deadlines decided in the period: one row per rule, labelled with the rule.
    public var legal: [ComplianceRow]
    /// The first breaches (by deadline), at most the query's `breachLimit`.
    public var breaches: [BreachRecord]
    public var escalations: Int
    public var escalatedIncidents: Int
    /// Incidents still open at `asOf`, by age bucket (one more entry than the query's `backlogAges`).
    public var backlog: [Int]
    /// The oldest incidents still open at `asOf`, oldest first.
    public var oldestOpen: [IncidentHeadline]
    /// Incidents opened and resolved in each trend bucket.
    public var openedPerBucket: [Int]
    public var resolvedPerBucket: [Int]

    public init(
        opened: [ClassCount] = [], resolved: [ClassCount] = [], acknowledgeTimes: [String: [Int64]] = [:],
        resolveTimes: [String: [Int64]] = [:], clocks: [ClockTally] = [], legal: [ComplianceRow] = [], breaches: [BreachRecord] = [], escalations: Int = 0,
        escalatedIncidents: Int = 0, backlog: [Int] = [], oldestOpen: [IncidentHeadline] = [], openedPerBucket: [Int] = [],
        resolvedPerBucket: [Int] = []
    ) {
        self.opened = opened
        self.resolved = resolved
        self.acknowledgeTimes = acknowledgeTimes
        self.resolveTimes = resolveTimes
        self.clocks = clocks
        self.legal = legal
        self.breaches = breaches
        self.escalations = escalations
        self.escalatedIncidents = escalatedIncidents
        self.backlog = backlog
        self.oldestOpen = oldestOpen
        self.openedPerBucket = openedPerBucket
        self.resolvedPerBucket = resolvedPerBucket
    }
}

/// One incident with every timing, for the CSV export (one row per incident).
public struct ReportedIncident: Sendable, Hashable {
    public var headline: IncidentHeadline
    public var level: Int
    public var reporter: UserRef
    public var knownAt: Date
    public var reopenedAt: Date?
    public var acknowledgedAt: Date?
    public var resolvedAt: Date?
    public var playbook: String?
    public var refs: [String]
    /// The incident's deadline clocks (not escalation timers), as stored.
    public var clocks: [ClockRow]

    public init(
        headline: IncidentHeadline, level: Int, reporter: UserRef, knownAt: Date, reopenedAt: Date?, acknowledgedAt: Date?,
        resolvedAt: Date?, playbook: String?, refs: [String], clocks: [ClockRow]
    ) {
        self.headline = headline
        self.level = level
        self.reporter = reporter
        self.knownAt = knownAt
        self.reopenedAt = reopenedAt
        self.acknowledgedAt = acknowledgedAt
        self.resolvedAt = resolvedAt
        self.playbook = playbook
        self.refs = refs
        self.clocks = clocks
    }

    /// The response cycle's start (the last reopen, or `knownAt`).
    public var cycleStartedAt: Date { reopenedAt ?? knownAt }
    /// Milliseconds from the cycle's start to the acknowledgement (or a resolution without one).
    public var acknowledgeMilliseconds: Int64? { (acknowledgedAt ?? resolvedAt).map { Self.milliseconds($0, since: cycleStartedAt) } }
    /// Milliseconds from the cycle's start to the resolution.
    public var resolveMilliseconds: Int64? { resolvedAt.map { Self.milliseconds($0, since: cycleStartedAt) } }

    static func milliseconds(_ date: Date, since start: Date) -> Int64 { Int64((date.timeIntervalSince(start) * 1000).rounded()) }
}
