import Foundation

/// Everything one accepted command (or one scheduler firing) writes, committed or rolled back together.
public struct UnitOfWork: Sendable {
    /// The platform request ID (`trigger_id`) whose repeats get `reply` back, or `nil` for a unit
    /// of work no chat request caused (the SLA scheduler's firings): then no idempotency record
    /// is written, no duplicate check is made and `reply` is never stored or shown.
    public var requestID: String?
    /// The reply to return for any repeat of `requestID` (ignored when it is `nil`).
    public var reply: Reply
    /// Who sent the request and what it asked, stored with `reply` so that the request ID reused
    /// for another request is refused (`nil` for units of work no chat request caused).
    public var fingerprint: RequestFingerprint?
    /// The incident after the command; `nil` for commands that change no incident.
    public var incident: Incident?
    /// The incident's `lastSequence` before this command (0 for a new incident): the write fails
    /// with ``StoreError/Kind/conflict`` if another writer got there first. This is also what
    /// stops a scheduler firing computed from a stale read, so a firing should append an event.
    public var expectedSequence: Int
    /// New events, in order, continuing from `expectedSequence`.
    public var events: [IncidentEvent]
    /// Channel posts caused by the command.
    public var outbox: [OutboxItem]
    /// Clock rows to insert or replace, keyed by (incident, name). Writing a row also drops any
    /// scheduler lease on it: the writer has decided its fate.
    public var clocks: [ClockRow]

    public init(
        requestID: String?, reply: Reply, incident: Incident?, expectedSequence: Int, events: [IncidentEvent],
        outbox: [OutboxItem], clocks: [ClockRow] = [], fingerprint: RequestFingerprint? = nil
    ) {
        self.requestID = requestID
        self.reply = reply
        self.fingerprint = fingerprint
        self.incident = incident
        self.expectedSequence = expectedSequence
        self.events = events
        self.outbox = outbox
        self.clocks = clocks
    }
}

/// Which incidents a listing wants.
public struct IncidentFilter: Sendable, Equatable {
    /// States to include; empty means all.
    public var states: Set<IncidentState>
    public var category: String?
    /// Owned by any of these accounts (one person's linked accounts, ``PeopleDirectory``); empty
    /// means owned by anyone or no one. Matched by ID, never by display name.
    public var owners: [UserRef]
    /// At most this many, newest first.
    public var limit: Int

    public init(states: Set<IncidentState> = [], category: String? = nil, owner: UserRef? = nil, owners: [UserRef] = [], limit: Int = 50) {
        self.states = states
        self.category = category
        self.owners = owners + (owner.map { [$0] } ?? [])
        self.limit = limit
    }
}

/// An outbox row as the delivery service sees it.
public struct OutboxRow: Sendable, Equatable {
    public var id: Int64
    public var item: OutboxItem
    public var createdAt: Date
    /// Delivery attempts made so far.
    public var attempts: Int

    public init(id: Int64, item: OutboxItem, createdAt: Date, attempts: Int) {
        self.id = id
        self.item = item
        self.createdAt = createdAt
        self.attempts = attempts
    }
}

/// Counts of outbox rows by state, for `status` and health.
public struct OutboxHealth: Sendable, Equatable {
    public var pending: Int
    public var deadLettered: Int

    public init(pending: Int, deadLettered: Int) {
        self.pending = pending
        self.deadLettered = deadLettered
    }
}

/// A store failure the app reacts to, as a public struct over a private kind (open for new kinds).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Another writer appended to the incident first; reload and retry.
        case conflict
        /// The request ID was already committed; `stored` holds the first reply and its fingerprint.
        case duplicateRequest
        /// The database failed (I/O, corruption, misuse); `message` says how.
        case failure
    }

    public var kind: Kind
    public var message: String
    /// For `.duplicateRequest`: what was stored for the request ID.
    public var stored: StoredRequest?

    /// The first reply, for `.duplicateRequest`.
    public var storedReply: Reply? { stored?.reply }

    public init(_ kind: Kind, _ message: String, stored: StoredRequest? = nil) {
        self.kind = kind
        self.message = message
        self.stored = stored
    }

    public var description: String { "store \(kind): \(message)" }
}

/// The durable store: incidents, their events, their clocks, the outbox and idempotency records.
///
/// Implementations (SQLite now, PostgreSQL later) give the same semantics: one transaction per
/// unit of work, per-incident sequence numbers under a unique constraint, and outbox rows and due
/// clock rows claimed under a lease so several workers (or replicas) never deliver one row, or
/// fire one clock, twice at once. Times are stored in UTC with millisecond precision.
public protocol IncidentStore: Sendable {
    /// The reply first given to `requestID` and the fingerprint of the request that got it, if
    /// that request was already committed.
    func storedRequest(requestID: String) async throws -> StoredRequest?

    /// Reserves the next incident number. Numbers are never reused; a failed command may leave a gap.
    func reserveIncidentNumber() async throws -> Int

    /// The incident numbered `number`, if it exists.
    func incident(_ number: Int) async throws -> Incident?

    /// Incidents matching `filter`, newest first.
    func incidents(matching filter: IncidentFilter) async throws -> [Incident]

    /// An incident's events in order.
    func events(of number: Int) async throws -> [IncidentEvent]

    /// An incident's clock rows, earliest due first.
    func clocks(of number: Int) async throws -> [ClockRow]

    /// Commits a unit of work atomically; throws ``StoreError`` with `.conflict` or
    /// `.duplicateRequest` (carrying the stored reply) when it cannot.
    func commit(_ work: UnitOfWork) async throws

    /// Claims up to `limit` clock rows the scheduler has work for at `now` — running, with a
    /// `nextFireAt` at or before `now`, and under no live lease — earliest `nextFireAt` first,
    /// leasing them to `worker` until `leaseUntil` in one transaction, so two workers never hold
    /// one row at once. A lease ends when it expires, when a ``commit(_:)`` writes the row, or
    /// with ``releaseClock(incident:name:worker:)``.
    func claimDueClocks(now: Date, limit: Int, worker: String, leaseUntil: Date) async throws -> [ClockRow]

    /// The earliest time a ``claimDueClocks(now:limit:worker:leaseUntil:)`` could return a row
    /// (a running row's `nextFireAt`, or its lease's end if later), or `nil` when no running row
    /// has a `nextFireAt`.
    func nextClockFireAt() async throws -> Date?

    /// Numbers of incidents with a running deadline clock (ack, resolve, step or legal, never
    /// escalation) due before `now`, ascending, at most `limit` (for `list breached`).
    func overdueIncidents(now: Date, limit: Int) async throws -> [Int]

    /// Drops `worker`'s lease on a clock row without changing the row, for a worker that gives up
    /// on a claimed row; a lease another worker (or a commit) has since taken over is left alone.
    func releaseClock(incident: Int, name: String, worker: String) async throws

    /// Claims up to `limit` pending outbox rows due at `now` for `worker`, leasing them until
    /// `leaseUntil`, most urgent first (``OutboxPriority``, then oldest). Rows whose lease
    /// expired are claimable again.
    ///
    /// With a `budget`, each channel gets at most `budget.posts` posts per sliding window
    /// (posts delivered in it and rows in flight count; summaries do not). Legal-clock breaches
    /// are claimed whatever the budget. Alerts beyond it come back as ``OutboxClaim/overflow``,
    /// leased, to be folded into one summary, at most one per channel per window; other rows
    /// beyond it wait until the window has room.
    func claimOutbox(now: Date, limit: Int, worker: String, leaseUntil: Date, budget: ChannelBudget?) async throws -> OutboxClaim

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

    /// Pending and dead-lettered counts.
    func outboxHealth() async throws -> OutboxHealth

    /// The aggregates a report over `query`'s period is computed from (see ``ReportFacts`` for
    /// the definitions), read from one consistent snapshot.
    func reportFacts(_ query: ReportQuery) async throws -> ReportFacts

    /// Up to `limit` incidents with numbers above `number`, ascending, that were open at some
    /// time in `since..<asOf` (opened before `asOf`, not resolved before `since`), each with its
    /// deadline clocks: the CSV export's pages.
    func reportedIncidents(since: Date, asOf: Date, after number: Int, limit: Int) async throws -> [ReportedIncident]

    /// Succeeds when the store can be read (for `/readyz`).
    func ping() async throws

    /// Deletes up to `limit` idempotency records created before `cutoff`, oldest first; returns
    /// how many it deleted. A repeat of a pruned request ID is then handled as a new request.
    func pruneRequests(createdBefore cutoff: Date, limit: Int) async throws -> Int

    /// Deletes up to `limit` outbox rows delivered before `cutoff`, oldest first; returns how
    /// many it deleted. Pending and dead-lettered rows are never deleted.
    func pruneDeliveredPosts(deliveredBefore cutoff: Date, limit: Int) async throws -> Int
}

extension IncidentStore {
    /// Claims up to `limit` rows with no channel budget.
    public func claimOutbox(now: Date, limit: Int, worker: String, leaseUntil: Date) async throws -> [OutboxRow] {
        try await claimOutbox(now: now, limit: limit, worker: worker, leaseUntil: leaseUntil, budget: nil).rows
    }

    /// The reply first given to `requestID`, if that request was already committed.
    public func storedReply(requestID: String) async throws -> Reply? {
        try await storedRequest(requestID: requestID)?.reply
    }

    /// Marks one claimed row delivered.
    public func markDelivered(_ id: Int64, at: Date) async throws {
        try await markDelivered([id], at: at)
    }
}
