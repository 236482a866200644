import Foundation

/// Reads for `vigil status`: what an operator on the box asks of the store about its health.
public protocol StatusReads: Sendable {
    /// The store's schema version, the outbox by channel, the newest `deadLetterLimit` dead
    /// letters, the unresolved incidents by state, and the deadline clocks as they stand at `now`,
    /// from one snapshot.
    func storeStatus(now: Date, deadLetterLimit: Int) async throws -> StoreStatus
}

/// What ``StatusReads/storeStatus(now:deadLetterLimit:)`` found.
public struct StoreStatus: Sendable, Equatable {
    /// One outbox channel's rows not yet delivered (`incidents`, `oncall`, `reply`, `page`, …).
    public struct Channel: Sendable, Equatable {
        public var channel: String
        /// Rows waiting to be delivered, retrying ones included.
        public var pending: Int
        /// Pending rows whose delivery has failed at least once.
        public var retrying: Int
        public var deadLettered: Int

        public init(channel: String, pending: Int, retrying: Int, deadLettered: Int) {
            self.channel = channel
            self.pending = pending
            self.retrying = retrying
            self.deadLettered = deadLettered
        }
    }

    /// A row delivery gave up on.
    public struct DeadLetter: Sendable, Equatable {
        public var id: Int64
        public var channel: String
        public var incident: Int?
        public var attempts: Int
        public var deadAt: Date?
        /// The last attempt's error, as stored: never a URL or a token.
        public var lastError: String?

        public init(id: Int64, channel: String, incident: Int?, attempts: Int, deadAt: Date?, lastError: String?) {
            self.id = id
            self.channel = channel
            self.incident = incident
            self.attempts = attempts
            self.deadAt = deadAt
            self.lastError = lastError
        }
    }

    /// The running deadline clock due soonest.
    public struct NextClock: Sendable, Equatable {
        public var incident: Int
        public var name: String
        public var dueAt: Date

        public init(incident: Int, name: String, dueAt: Date) {
            self.incident = incident
            self.name = name
            self.dueAt = dueAt
        }
    }

    public var schemaVersion: Int
    /// Channels with a pending or dead-lettered row, by name.
    public var outbox: [Channel]
    /// When the oldest pending row was written.
    public var oldestPending: Date?
    /// Newest first.
    public var deadLetters: [DeadLetter]
    /// Unresolved incidents: `open` and `acknowledged`, each present even at zero.
    public var incidents: [IncidentState: Int]
    /// Incidents with a running deadline clock (ack, resolve, step, legal) already past due.
    public var breached: Int
    /// The running deadline clock due next, not yet past due.
    public var nextClock: NextClock?

    public init(
        schemaVersion: Int, outbox: [Channel], oldestPending: Date?, deadLetters: [DeadLetter], incidents: [IncidentState: Int],
        breached: Int, nextClock: NextClock?
    ) {
        self.schemaVersion = schemaVersion
        self.outbox = outbox
        self.oldestPending = oldestPending
        self.deadLetters = deadLetters
        self.incidents = incidents
        self.breached = breached
        self.nextClock = nextClock
    }

    /// Every channel's dead letters together.
    public var deadLettered: Int { outbox.reduce(0) { $0 + $1.deadLettered } }
}
