import Foundation
import VigilCore

/// Units of work: ``perform(_:)`` runs a unit's read, `decide` and write as one unit of the
/// writer's group (one savepoint), and the write set is checked before it is written.
extension SQLiteIncidentStore {
    // MARK: - Units of work

    public func perform<Answer: Sendable>(_ unit: StoreUnit<Answer>) async throws -> Answer {
        let now = now
        do {
            return try await perform("unit of work") { database in try Self.run(unit, now: now, in: database) }
        } catch let answered as UnitAnswered<Answer> {
            return answered.answer
        } catch let failure as DecideFailure {
            throw failure.error
        }
    }

    /// One unit inside the writer's savepoint: read what it names, decide, check, write.
    private static func run<Answer: Sendable>(_ unit: StoreUnit<Answer>, now: () -> Date, in database: SQLiteDatabase) throws -> Answer {
        var input = UnitInput()
        switch unit.key {
        case let .request(id, _)?: input.stored = try storedRequest(id, in: database)
        case let .once(key)?:
            input.alreadyDone = try database.queryFirst("SELECT 1 FROM once_keys WHERE key = ?", [.text(key)]) { _ in true } ?? false
        case nil: break
        }
        switch unit.target {
        case .none: break
        case let .incident(number):
            input.incident = try incident(number, in: database)
            input.clocks = try clocks(of: number, in: database)
        case .newIncident:
            // Called from inside `decide`, whose errors pass through untranslated: this one is
            // the store's, so it is a StoreError like every other.
            input.reserveNumber = {
                do {
                    return try reserveNumber(in: database)
                } catch let error as StoreError {
                    throw error
                } catch {
                    throw StoreError(.failure, "reserve incident number: \(error)")
                }
            }
        }
        let verdict: UnitVerdict<Answer>
        do {
            verdict = try unit.decide(input)
        } catch {
            throw DecideFailure(error: error)
        }
        switch verdict {
        case let .answer(answer):
            // Thrown, so the writer rolls the savepoint back: a number `decide` reserved and did
            // not use is given back.
            throw UnitAnswered(answer: answer)
        case let .write(work, answer):
            try validate(work)
            // Outbox and idempotency rows take the time of the events that caused them, which is
            // the core's `now`; the store's clock only covers a unit that changed no incident.
            let createdAt = StoreTime.milliseconds(work.events.last?.at ?? now())
            try write(work, key: unit.key, createdAt: createdAt, in: database)
            return answer
        }
    }

    // MARK: - Writes

    /// Reserves the next incident number in a unit of its own (tests and tools; commands reserve
    /// theirs inside their unit). Numbers are never reused.
    public func reserveIncidentNumber() async throws -> Int {
        try await perform("reserve incident number") { try Self.reserveNumber(in: $0) }
    }

    /// Bumps the incident counter inside the caller's transaction: rolled back with it, so a
    /// unit that fails or writes nothing leaves no gap.
    static func reserveNumber(in database: SQLiteDatabase) throws -> Int {
        // Never below an existing incident, so a counter restored from an older backup still
        // cannot hand out a number twice.
        let bump = """
            UPDATE counters SET value = max(value, (SELECT coalesce(max(number), 0) FROM incidents)) + 1
            WHERE name = 'incident'
            """
        try database.run(bump)
        if database.changes == 0 {
            try database.run("INSERT INTO counters (name, value) VALUES ('incident', 0)")
            try database.run(bump)
        }
        let value = try database.queryFirst("SELECT value FROM counters WHERE name = 'incident'") { row in
            var reader = RowReader(row, table: "counters", columns: ["value"])
            return try reader.int()
        }
        guard let value else { throw StoreError(.failure, "the incident counter is missing") }
        return value
    }

    private static func write(_ work: UnitOfWork, key: UnitKey?, createdAt: Int64, in database: SQLiteDatabase) throws {
        if let incident = work.incident {
            let current = try database.queryFirst(
                "SELECT last_sequence FROM incidents WHERE number = ?", [SQLiteValue(incident.number)]
            ) { row in
                var reader = RowReader(row, table: "incidents", columns: ["last_sequence"])
                return try reader.int()
            } ?? 0
            guard current == work.expectedSequence else {
                throw StoreError(
                    .conflict, "incident \(incident.number) is at sequence \(current), not \(work.expectedSequence)")
            }
            // The projection first: events reference it.
            try database.run(StoreRows.upsertIncident, StoreRows.bindings(incident))
            for event in work.events {
                do {
                    try database.run(StoreRows.insertEvent, StoreRows.bindings(event))
                } catch let error as SQLiteError where error.isUniquenessViolation {
                    throw StoreError(.conflict, "incident \(incident.number) already has event \(event.sequence)")
                }
            }
            try writeClocks(work.clocks, of: incident, in: database)
        }
        for item in work.outbox { try insertOutbox(item, createdAt: createdAt, in: database) }
        if let intakeKey = work.intakeKey { try writeIntakeKey(intakeKey, createdAt: createdAt, in: database) }
        switch key {
        case let .request(id, fingerprint)?:
            guard let reply = work.reply else { throw StoreError(.failure, "the unit of work for request \(id) has no reply to store") }
            try database.run(
                "INSERT INTO idempotency (request_id, reply, created_at_ms, sender, request_hash) VALUES (?, ?, ?, ?, ?)",
                [
                    .text(id), .text(StoreJSON.encode(reply)), .integer(createdAt),
                    SQLiteValue(fingerprint?.sender), SQLiteValue(fingerprint?.hash),
                ])
        case let .once(onceKey)?:
            try database.run("INSERT INTO once_keys (key, created_at_ms) VALUES (?, ?)", [.text(onceKey), .integer(createdAt)])
        case nil:
            break
        }
    }

    /// Refuses a unit of work whose parts disagree, which would write a broken chain.
    static func validate(_ work: UnitOfWork) throws {
        try validateClocks(work)
        guard let incident = work.incident else {
            guard work.events.isEmpty else { throw StoreError(.failure, "events without an incident") }
            return
        }
        let number = incident.number
        guard work.expectedSequence >= 0,
            incident.lastSequence == work.expectedSequence + work.events.count
        else {
            throw StoreError(
                .failure,
                "incident \(number) is at sequence \(incident.lastSequence) after \(work.events.count) "
                    + "events from \(work.expectedSequence)")
        }
        for (offset, event) in work.events.enumerated() {
            guard event.incident == number, event.sequence == work.expectedSequence + offset + 1 else {
                throw StoreError(.failure, "event \(offset + 1) of the unit of work does not continue incident \(number)")
            }
        }
        if let last = work.events.last, last.hash != incident.lastHash {
            throw StoreError(.failure, "incident \(number)'s last hash is not its last event's hash")
        }
    }
}

/// Errors the writer passes back untranslated: a unit's answer and what its `decide` threw.
protocol UnitSignal: Error {}

/// A unit that answered without writing: thrown so its savepoint rolls back, caught by
/// ``SQLiteIncidentStore/perform(_:)`` and returned.
struct UnitAnswered<Answer: Sendable>: UnitSignal {
    let answer: Answer
}

/// What a unit's `decide` threw, carried through the writer unchanged.
struct DecideFailure: UnitSignal {
    let error: any Error
}
