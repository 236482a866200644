import Foundation
import Logging
import PostgresNIO
import VigilCore

/// Units of work on PostgreSQL: one transaction each, re-run with backoff when it loses a race.
///
/// The unit locks what it reads before it decides: its incident's row (`FOR UPDATE`), or for a
/// new incident the counter row (by bumping it). A second unit on the same incident, from any
/// replica, waits for the first to commit and then reads what it wrote, so it decides on the
/// fresh state; the sequence check and the events' primary key still refuse a write that would
/// fork the chain, and the unit then re-runs. A repeated request ID or once-key committed by
/// another replica between the read and the write fails on its primary key, and the re-run finds
/// the stored reply.
extension PostgresIncidentStore {
    public func perform<Answer: Sendable>(_ unit: StoreUnit<Answer>) async throws -> Answer {
        let now = now
        let logger = logger
        do {
            // This process's services learn of the commit from their callers, as with SQLite;
            // the `NOTIFY` it sent reaches the other replicas.
            return try await writing("unit of work") { connection in
                try await Self.run(unit, now: now, on: connection, logger: logger)
            }
        } catch let failure as DecideFailure {
            throw failure.error
        }
    }

    /// What a committed unit wrote that other processes' services care about.
    struct UnitChanges: Sendable {
        var outbox = false
        var clocks = false
    }

    private static func run<Answer: Sendable>(
        _ unit: StoreUnit<Answer>, now: () -> Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> (value: Answer, commit: Bool) {
        var input = UnitInput()
        var taken: NumberTaken?
        switch unit.target {
        case .none: break
        case let .incident(number):
            input.incident = try await incident(number, on: connection, lock: true, logger: logger)
            input.clocks = try await clocks(of: number, on: connection, logger: logger)
        case .newIncident:
            // Reserved before `decide` (which cannot wait on the database), under the counter
            // row's lock until this transaction ends; given back below if `decide` does not use it.
            let number = try await reserveNumber(on: connection, logger: logger)
            let reservation = NumberTaken()
            taken = reservation
            input.reserveNumber = {
                guard !reservation.value else { throw StoreError(.failure, "a unit of work reserves one incident number") }
                reservation.value = true
                return number
            }
        }
        switch unit.key {
        case let .request(id, _)?: input.stored = try await storedRequest(id, on: connection, logger: logger)
        case let .once(key)?:
            input.alreadyDone = !(try await connection.rows("SELECT 1::bigint FROM once_keys WHERE key = ?", [.text(key)], logger: logger))
                .isEmpty
        case nil: break
        }
        let verdict: UnitVerdict<Answer>
        do {
            verdict = try unit.decide(input)
        } catch {
            throw DecideFailure(error: error)
        }
        switch verdict {
        case let .answer(answer):
            // Rolled back: a number reserved for it is given back.
            return (answer, false)
        case let .write(work, answer):
            try SQLiteIncidentStore.validate(work)
            if let taken, !taken.value {
                // `decide` wrote without taking the number: give it back, so numbers have no
                // gaps (the counter row is still locked by this transaction).
                try await connection.execute("UPDATE counters SET value = value - 1 WHERE name = 'incident'", logger: logger)
            }
            let createdAt = StoreTime.milliseconds(work.events.last?.at ?? now())
            try await write(work, key: unit.key, createdAt: createdAt, on: connection, logger: logger)
            return (answer, true)
        }
    }

    /// Reserves the next incident number in a transaction of its own (tests and tools).
    public func reserveIncidentNumber() async throws -> Int {
        let logger = logger
        return try await writing("reserve incident number") { connection in
            (try await Self.reserveNumber(on: connection, logger: logger), true)
        }
    }

    /// Bumps the incident counter inside the caller's transaction, never below an existing
    /// incident (a counter restored from an older backup still cannot hand out a number twice).
    static func reserveNumber(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let bump = """
            UPDATE counters SET value = GREATEST(value, (SELECT coalesce(max(number), 0) FROM incidents)) + 1
            WHERE name = 'incident' RETURNING value
            """
        var rows = try await connection.rows(bump, logger: logger)
        if rows.isEmpty {
            try await connection.execute(
                "INSERT INTO counters (name, value) VALUES ('incident', 0) ON CONFLICT (name) DO NOTHING", logger: logger)
            rows = try await connection.rows(bump, logger: logger)
        }
        guard let value = rows.first?.int64(0) else { throw StoreError(.failure, "the incident counter is missing") }
        return Int(value)
    }

    private static func write(
        _ work: UnitOfWork, key: UnitKey?, createdAt: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws {
        var changes = UnitChanges()
        if let incident = work.incident {
            let current =
                try await connection.rows(
                    "SELECT last_sequence FROM incidents WHERE number = ? FOR UPDATE", [SQLiteValue(incident.number)], logger: logger
                ).first?.int64(0) ?? 0
            guard current == work.expectedSequence else {
                throw StoreError(.conflict, "incident \(incident.number) is at sequence \(current), not \(work.expectedSequence)")
            }
            try await connection.execute(StoreRows.upsertIncident, StoreRows.bindings(incident), logger: logger)
            for event in work.events {
                do {
                    try await connection.execute(StoreRows.insertEvent, StoreRows.bindings(event), logger: logger)
                } catch let error as PSQLError where error.sqlState == "23505" {
                    throw StoreError(.conflict, "incident \(incident.number) already has event \(event.sequence)")
                }
            }
            try await writeClocks(work.clocks, of: incident, on: connection, logger: logger)
            changes.clocks = work.clocks.contains { $0.state == .running && $0.nextFireAt != nil }
        }
        for item in work.outbox { try await insertOutbox(item, createdAt: createdAt, on: connection, logger: logger) }
        changes.outbox = !work.outbox.isEmpty
        if let intakeKey = work.intakeKey { try await writeIntakeKey(intakeKey, createdAt: createdAt, on: connection, logger: logger) }
        switch key {
        case let .request(id, fingerprint)?:
            guard let reply = work.reply else { throw StoreError(.failure, "the unit of work for request \(id) has no reply to store") }
            try await connection.execute(
                "INSERT INTO idempotency (request_id, reply, created_at_ms, sender, request_hash) VALUES (?, ?, ?, ?, ?)",
                [
                    .text(id), .text(StoreJSON.encode(reply)), .integer(createdAt),
                    SQLiteValue(fingerprint?.sender), SQLiteValue(fingerprint?.hash),
                ], logger: logger)
        case let .once(onceKey)?:
            try await connection.execute(
                "INSERT INTO once_keys (key, created_at_ms) VALUES (?, ?)", [.text(onceKey), .integer(createdAt)], logger: logger)
        case nil:
            break
        }
        try await notify(changes, on: connection, logger: logger)
    }

    /// Queues the `NOTIFY`s for what the transaction wrote; PostgreSQL sends them at commit, and
    /// only then.
    static func notify(_ changes: UnitChanges, on connection: PostgresConnection, logger: Logger) async throws {
        if changes.outbox { try await connection.execute("SELECT pg_notify(?, 'outbox')", [.text(notifyChannel)], logger: logger) }
        if changes.clocks { try await connection.execute("SELECT pg_notify(?, 'clocks')", [.text(notifyChannel)], logger: logger) }
    }

    /// Upserts the unit's clocks, dropping any lease on them, and keeps the incident's severity
    /// and category on all its clock rows (reports count deadlines by them).
    static func writeClocks(_ clocks: [ClockRow], of incident: Incident, on connection: PostgresConnection, logger: Logger) async throws {
        let severity = SQLiteValue.text(incident.severity), category = SQLiteValue.text(incident.category)
        for clock in clocks {
            try await connection.execute(StoreRows.upsertClock, StoreRows.bindings(clock) + [severity, category], logger: logger)
        }
        try await connection.execute(
            """
            UPDATE clocks SET severity = ?, category = ?
            WHERE incident = ? AND (severity IS DISTINCT FROM ? OR category IS DISTINCT FROM ?)
            """,
            [severity, category, SQLiteValue(incident.number), severity, category], logger: logger)
    }

    static func insertOutbox(_ item: OutboxItem, createdAt: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.execute(StoreRows.insertOutbox, StoreRows.outboxBindings(item, createdAt: createdAt), logger: logger)
    }
}

/// Whether a unit took the number reserved for it; touched only inside its `decide`, which runs
/// on one task at a time.
private final class NumberTaken: @unchecked Sendable {
    var value = false
}
