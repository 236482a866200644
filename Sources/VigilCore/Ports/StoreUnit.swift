import Foundation

/// What makes a unit of work happen at most once.
public enum UnitKey: Sendable, Equatable {
    /// A chat request: the platform's request ID (`slack:<trigger_id>`) and who sent what. The
    /// reply of a unit that writes is stored under the ID, and a repeat finds it in
    /// ``UnitInput/stored``.
    case request(id: String, fingerprint: RequestFingerprint?)
    /// Work no chat request caused but that must happen once (`digest:2026-12-01`,
    /// `handoff:ts-primary:…`): a unit that writes records the key, with no reply, and a second
    /// unit with it finds ``UnitInput/alreadyDone`` set.
    case once(String)
}

/// The incident a unit of work reads before it decides.
public enum UnitTarget: Sendable, Equatable {
    /// None: the unit writes only outbox rows (a digest), or only answers.
    case none
    /// An existing incident, read with its clock rows in the unit's own transaction.
    case incident(Int)
    /// A new incident: `decide` reserves its number with ``UnitInput/reserveNumber``.
    case newIncident
}

/// What the store hands `decide`, read inside the same transaction the unit's writes go into,
/// so nothing can change between the read and the write.
public struct UnitInput {
    /// For a ``UnitKey/request(id:fingerprint:)`` key already committed: its first reply and
    /// fingerprint.
    public var stored: StoredRequest?
    /// For a ``UnitKey/once(_:)`` key already committed: true.
    public var alreadyDone: Bool
    /// The ``UnitTarget/incident(_:)`` as it is now (`nil` when there is no such incident).
    public var incident: Incident?
    /// Its clock rows, earliest due first.
    public var clocks: [ClockRow]
    /// Reserves the next incident number. It belongs to the unit: if the unit writes nothing or
    /// fails, the number is given back, so numbers have no gaps from refusals.
    public var reserveNumber: () throws -> Int

    public init(
        stored: StoredRequest? = nil, alreadyDone: Bool = false, incident: Incident? = nil, clocks: [ClockRow] = [],
        reserveNumber: @escaping () throws -> Int = { throw StoreError(.failure, "this unit of work reserves no number") }
    ) {
        self.stored = stored
        self.alreadyDone = alreadyDone
        self.incident = incident
        self.clocks = clocks
        self.reserveNumber = reserveNumber
    }
}

/// What `decide` concluded: write a unit of work and answer, or only answer (a refusal, a
/// repeat, a firing that no longer applies), writing nothing.
public enum UnitVerdict<Answer: Sendable> {
    case write(UnitOfWork, Answer)
    case answer(Answer)
}

/// One command's whole trip to the store as one call: the key that makes it happen once, the
/// incident it reads, and a pure `decide` the store runs inside its transaction on what it read.
///
/// `decide` must be pure and quick (microseconds): the adapter may run it on its writer while
/// other units wait, and may run it again (PostgreSQL, after a serialization failure). It never
/// sleeps, reads the clock or touches I/O; the caller computed `now` before.
public struct StoreUnit<Answer: Sendable>: Sendable {
    public var key: UnitKey?
    public var target: UnitTarget
    public var decide: @Sendable (UnitInput) throws -> UnitVerdict<Answer>

    public init(key: UnitKey?, target: UnitTarget, decide: @escaping @Sendable (UnitInput) throws -> UnitVerdict<Answer>) {
        self.key = key
        self.target = target
        self.decide = decide
    }
}

/// The store's command role: every change to incidents, clocks, idempotency and once-keys goes
/// through ``perform(_:)``, one transaction per unit.
///
/// An adapter runs, in one transaction (SQLite: one savepoint of a group commit): read the key
/// and the target → `decide` → check the unit of work → write it and the key. A failing unit
/// changes nothing and fails alone. ``perform(_:)`` returns only once the unit is durable, so a
/// reply is never sent for a change that could still be lost. Errors `decide` throws reach the
/// caller unchanged; the store's own are ``StoreError``s. Units on one incident never conflict
/// from the caller's point of view: an adapter that can lose a race re-runs `decide` on the
/// fresh state.
public protocol IncidentCommands: Sendable {
    func perform<Answer: Sendable>(_ unit: StoreUnit<Answer>) async throws -> Answer
}

extension IncidentCommands {
    /// Commits a unit of work computed outside the store (tools, tests and the scheduler
    /// benchmark's seeding): `.duplicateRequest` (with the stored reply) when its request ID was
    /// committed, `.conflict` when its incident is no longer at `expectedSequence`.
    public func commit(_ work: UnitOfWork) async throws {
        let key = work.requestID.map { UnitKey.request(id: $0, fingerprint: work.fingerprint) }
        let target = work.incident.map { UnitTarget.incident($0.number) } ?? .none
        try await perform(StoreUnit<Bool>(key: key, target: target) { input in
            if let stored = input.stored, let id = work.requestID {
                throw StoreError(.duplicateRequest, "request \(id) was already committed", stored: stored)
            }
            if let incident = work.incident {
                let current = input.incident?.lastSequence ?? 0
                guard current == work.expectedSequence else {
                    throw StoreError(.conflict, "incident \(incident.number) is at sequence \(current), not \(work.expectedSequence)")
                }
            }
            return .write(work, true)
        })
    }
}
