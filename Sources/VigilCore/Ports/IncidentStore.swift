import Foundation

/// Everything one accepted command (or one scheduler firing) writes, committed or rolled back
/// together: what a ``StoreUnit``'s `decide` returns.
public struct UnitOfWork: Sendable {
    /// The platform request ID (`trigger_id`) whose repeats get `reply` back, or `nil` for a unit
    /// of work no chat request caused (the SLA scheduler's firings, digests). Read by
    /// ``IncidentCommands/commit(_:)``; ``IncidentCommands/perform(_:)`` takes the unit's key.
    public var requestID: String?
    /// The reply stored for repeats of the unit's request key; `nil` for units no chat request
    /// caused, which have no one to answer.
    public var reply: Reply?
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
    /// An intake case's dedup key, recorded with the incident it opened (``IntakeKeyStore``).
    public var intakeKey: IntakeKeyWrite? = nil

    public init(
        requestID: String?, reply: Reply?, incident: Incident?, expectedSequence: Int, events: [IncidentEvent],
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

    /// A change to `incident` no chat request caused (a scheduler firing): no reply.
    public init(incident: Incident, expectedSequence: Int, events: [IncidentEvent], outbox: [OutboxItem], clocks: [ClockRow]) {
        self.init(
            requestID: nil, reply: nil, incident: incident, expectedSequence: expectedSequence, events: events, outbox: outbox,
            clocks: clocks)
    }

    /// Posts only, changing no incident (a digest, a hand-off): no reply.
    public init(outbox: [OutboxItem]) {
        self.init(requestID: nil, reply: nil, incident: nil, expectedSequence: 0, events: [], outbox: outbox)
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
        /// An intake dedup key another unit recorded (or moved on) first (``IntakeKeyWrite``):
        /// not retried by the store, since the same unit would only fail again; the caller reads
        /// the key again and joins its incident.
        case keyTaken
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
