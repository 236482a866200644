import Foundation

/// The durable store, by role. Each service takes only the roles it uses; one adapter (SQLite
/// now, PostgreSQL later) implements them all, with the same semantics: one transaction per unit
/// of work, per-incident sequence numbers under a unique constraint, and outbox rows and due
/// clock rows claimed under a lease so several workers (or replicas) never deliver one row, or
/// fire one clock, twice at once. Times are stored in UTC with millisecond precision.
public typealias IncidentStore = IncidentCommands & IncidentQueries & ClockQueue & OutboxQueue & ReportReads & StoreMaintenance
    & OncallOverrideStore & ChatPostLog & AuditReads
    & IncidentRoomStore & IntakeKeyStore
    & StatusReads
    & MetricsReads

/// An incident with everything `status` and `summary` show, read from one snapshot.
public struct IncidentRecord: Sendable, Equatable {
    public var incident: Incident
    public var events: [IncidentEvent]
    /// Earliest due first.
    public var clocks: [ClockRow]

    public init(incident: Incident, events: [IncidentEvent], clocks: [ClockRow]) {
        self.incident = incident
        self.events = events
        self.clocks = clocks
    }
}

/// An incident in a listing, with its clock rows (none for a resolved one, whose clocks a
/// listing does not show).
public struct ListedIncident: Sendable, Equatable {
    public var incident: Incident
    public var clocks: [ClockRow]

    public init(incident: Incident, clocks: [ClockRow]) {
        self.incident = incident
        self.clocks = clocks
    }
}

/// Reads for views, tools and health. An adapter may answer them from a snapshot a moment older
/// than the last ``IncidentCommands/perform(_:)`` that has not returned yet, never older than one
/// that has; they never wait behind the writer or a report.
public protocol IncidentQueries: Sendable {
    /// The reply first given to `requestID` and the fingerprint of the request that got it, if
    /// that request was already committed (tools and tests; commands learn it in their unit).
    func storedRequest(requestID: String) async throws -> StoredRequest?

    /// The incident numbered `number`, if it exists.
    func incident(_ number: Int) async throws -> Incident?

    /// The incident numbered `number` with its events and clock rows, from one snapshot.
    func incidentRecord(_ number: Int) async throws -> IncidentRecord?

    /// Incidents matching `filter`, newest first.
    func incidents(matching filter: IncidentFilter) async throws -> [Incident]

    /// Incidents matching `filter`, newest first, each with its clock rows unless it is
    /// resolved: one query, for `list`.
    func listed(matching filter: IncidentFilter) async throws -> [ListedIncident]

    /// Incidents with a running deadline clock (ack, resolve, step or legal, never escalation)
    /// due before `now`, in `category` if one is given, ascending, at most `limit`, each with its
    /// clock rows: for `list breached`.
    func breached(now: Date, category: String?, limit: Int) async throws -> [ListedIncident]

    /// Numbers of incidents with a running deadline clock due before `now`, ascending, at most
    /// `limit`.
    func overdueIncidents(now: Date, limit: Int) async throws -> [Int]

    /// An incident's events in order.
    func events(of number: Int) async throws -> [IncidentEvent]

    /// An incident's clock rows, earliest due first.
    func clocks(of number: Int) async throws -> [ClockRow]

    /// Pending and dead-lettered outbox counts.
    func outboxHealth() async throws -> OutboxHealth

    /// Succeeds when the store can be read (for `/readyz`).
    func ping() async throws
}

extension IncidentQueries {
    /// The reply first given to `requestID`, if that request was already committed.
    public func storedReply(requestID: String) async throws -> Reply? {
        try await storedRequest(requestID: requestID)?.reply
    }
}

/// The scheduler's queue of clock rows.
public protocol ClockQueue: Sendable {
    /// Claims up to `limit` clock rows the scheduler has work for at `now` — running, with a
    /// `nextFireAt` at or before `now`, and under no live lease — earliest `nextFireAt` first,
    /// leasing them to `worker` until `leaseUntil` in one transaction, so two workers never hold
    /// one row at once. A lease ends when it expires, when a unit of work writes the row, or
    /// with ``releaseClock(incident:name:worker:)``.
    func claimDueClocks(now: Date, limit: Int, worker: String, leaseUntil: Date) async throws -> [ClockRow]

    /// The earliest time a ``claimDueClocks(now:limit:worker:leaseUntil:)`` could return a row
    /// (a running row's `nextFireAt`, or its lease's end if later), or `nil` when no running row
    /// has a `nextFireAt`.
    func nextClockFireAt() async throws -> Date?

    /// Drops `worker`'s lease on a clock row without changing the row, for a worker that gives up
    /// on a claimed row; a lease another worker (or a commit) has since taken over is left alone.
    func releaseClock(incident: Int, name: String, worker: String) async throws
}

/// The delivery service's queue of outbox rows.
public protocol OutboxQueue: Sendable {
    /// Claims up to `limit` pending outbox rows due at `now` for `worker`, leasing them until
    /// `leaseUntil`, most urgent first (``OutboxPriority``, then oldest). Rows whose lease
    /// expired are claimable again.
    ///
    /// With a `budget`, each channel gets at most `budget.posts` posts per sliding window
    /// (posts delivered in it and rows in flight count; summaries do not). Legal-clock breaches
    /// and replies (which belong to no channel) are claimed whatever the budget. Alerts beyond it
    /// come back as ``OutboxClaim/overflow``, leased, to be folded into one summary, at most one
    /// per channel per window; other rows beyond it wait until the window has room.
    func claimOutbox(now: Date, limit: Int, worker: String, leaseUntil: Date, budget: ChannelBudget?) async throws -> OutboxClaim

    /// Writes `item` as a pending row due at `at`, on its own, outside any unit of work (a
    /// deferred reply, whose command has already committed); returns the row's id once it is
    /// durable. Like a unit that writes posts, it wakes the delivery services of other replicas
    /// sharing the store; the caller wakes its own.
    func enqueue(_ item: OutboxItem, at: Date) async throws -> Int64

    /// Folds rows into a summary post: writes `summary` as a new pending row and marks each
    /// still-pending row of `ids` delivered by coalescing (it records the summary's id), in one
    /// transaction. Returns the summary's id, or `nil` (writing nothing) when none was pending.
    func coalesceOutbox(_ ids: [Int64], into summary: OutboxItem, worker: String, at: Date) async throws -> Int64?

    /// Marks claimed rows delivered, all in one transaction (a delivery pass marks its rows
    /// together rather than one write each).
    func markDelivered(_ ids: [Int64], at: Date) async throws

    /// Records a failed attempt and when to try again.
    func reschedule(_ id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws

    /// Gives up on a row: it stays in the store, visible as dead-lettered.
    func deadLetter(_ id: Int64, attempts: Int, error: String, at: Date) async throws

    /// The earliest time a pending row becomes due (its next attempt or its lease's end), if any.
    func nextOutboxDue() async throws -> Date?
}

extension OutboxQueue {
    /// Claims up to `limit` rows with no channel budget.
    public func claimOutbox(now: Date, limit: Int, worker: String, leaseUntil: Date) async throws -> [OutboxRow] {
        try await claimOutbox(now: now, limit: limit, worker: worker, leaseUntil: leaseUntil, budget: nil).rows
    }

    /// Marks one claimed row delivered.
    public func markDelivered(_ id: Int64, at: Date) async throws {
        try await markDelivered([id], at: at)
    }
}

/// Reads for reports, which may scan a year of incidents: an adapter runs them apart from the
/// command path, so a long report never delays a command or a view.
public protocol ReportReads: Sendable {
    /// The aggregates a report over `query`'s period is computed from (see ``ReportFacts`` for
    /// the definitions), read from one consistent snapshot.
    func reportFacts(_ query: ReportQuery) async throws -> ReportFacts

    /// Up to `limit` incidents with numbers above `number`, ascending, that were open at some
    /// time in `since..<asOf` (opened before `asOf`, not resolved before `since`), each with its
    /// deadline clocks: the CSV export's pages.
    func reportedIncidents(since: Date, asOf: Date, after number: Int, limit: Int) async throws -> [ReportedIncident]
}

/// Retention: pruning what the team's policy no longer keeps.
public protocol StoreMaintenance: Sendable {
    /// Deletes up to `limit` idempotency records created before `cutoff`, oldest first; returns
    /// how many it deleted. A repeat of a pruned request ID is then handled as a new request.
    /// Once-keys (a digest's day, a hand-off) are a few a day and are kept.
    func pruneRequests(createdBefore cutoff: Date, limit: Int) async throws -> Int

    /// Deletes up to `limit` outbox rows delivered before `cutoff`, oldest first; returns how
    /// many it deleted. Pending and dead-lettered rows are never deleted.
    func pruneDeliveredPosts(deliveredBefore cutoff: Date, limit: Int) async throws -> Int
}
