import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - Clocks

/// The SLA scheduler's queue on PostgreSQL, with the SQLite store's semantics: a claim leases the
/// running rows due at `now` and under no live lease, earliest first, in one statement. The rows
/// are picked with `FOR UPDATE SKIP LOCKED`, so two replicas claiming at once pass over each
/// other's rows instead of waiting on them, and a row another claim has just leased is read again
/// after that claim commits, with its new lease, and left out. A lease ends when it runs out, when
/// a commit writes the row (``StoreRows/upsertClock`` clears it), or with
/// ``releaseClock(incident:name:worker:)``.
extension PostgresIncidentStore: ClockQueue {
    public func claimDueClocks(now: Date, limit: Int, worker: String, leaseUntil: Date) async throws -> [ClockRow] {
        guard limit > 0 else { return [] }
        let bindings: [SQLiteValue] = [
            .integer(StoreTime.milliseconds(now)), .integer(StoreTime.milliseconds(now)), SQLiteValue(limit),
            .text(worker), .integer(StoreTime.milliseconds(leaseUntil)),
        ]
        let logger = logger
        return try await writing("claim due clocks") { connection in
            let leased = try await connection.rows(Self.claimClocksSQL, bindings, logger: logger)
            // RETURNING follows no ORDER BY: put the rows back in the claim's order. A row that
            // does not decode (corrupt, or of a kind only a newer build knows) is leased but not
            // returned, as on SQLite: it cannot hold up the rows behind it, nor make the
            // scheduler spin on it, and it is left as it is for whoever can read it once the
            // lease runs out. `clocks(of:)` still fails on it, naming the column.
            let claimed = leased.sorted(by: Self.claimedEarlier).compactMap { try? StoreRows.clock($0) }
            return (claimed, true)
        }
    }

    /// Leases the due rows: `?` now, now, limit, worker, lease end. The CTE walks
    /// `clocks_next_fire` in order (ties by incident and name, byte order as SQLite's), skipping
    /// rows another transaction holds; the update returns the leased rows' ``StoreRows/clockColumns``.
    static let claimClocksSQL = """
        WITH due AS (
            SELECT incident, name FROM clocks
            WHERE state = 'running' AND next_fire_at_ms <= ?
              AND (lease_until_ms IS NULL OR lease_until_ms <= ?)
            ORDER BY next_fire_at_ms, incident, name COLLATE "C" LIMIT ?
            FOR UPDATE SKIP LOCKED)
        UPDATE clocks AS c SET claimed_by = ?, lease_until_ms = ?
        FROM due WHERE c.incident = due.incident AND c.name = due.name
        RETURNING \(StoreRows.clockColumns.map { "c.\($0)" }.joined(separator: ", "))
        """

    /// The claim's order over raw rows (some may not decode): next fire time, incident, then
    /// name in byte order.
    private static func claimedEarlier(_ left: PostgresValues, _ right: PostgresValues) -> Bool {
        let nextFire = StoreRows.clockColumns.firstIndex(of: "next_fire_at_ms") ?? 8
        let (a, b) = (left.int64(nextFire) ?? .max, right.int64(nextFire) ?? .max)
        if a != b { return a < b }
        let (i, j) = (left.int64(0) ?? .max, right.int64(0) ?? .max)
        if i != j { return i < j }
        return Array((left.text(1) ?? "").utf8).lexicographicallyPrecedes(Array((right.text(1) ?? "").utf8))
    }

    public func nextClockFireAt() async throws -> Date? {
        let logger = logger
        return try await reading("next clock fire time") { connection in
            let rows = try await connection.rows(NextClockFire.windowSQL, [.integer(Int64(NextClockFire.window))], logger: logger) {
                row in
                guard let next = row.int64(0), row.isNull(1) || row.int64(1) != nil else { throw NextClockFire.corrupt }
                return NextClockFire.Row(next: next, lease: row.isNull(1) ? nil : row.int64(1))
            }
            switch NextClockFire.earliest(in: rows) {
            case let .earliest(milliseconds): return milliseconds.map(StoreTime.date)
            case .beyondWindow:
                let row = try await connection.rows(
                    """
                    SELECT min(GREATEST(next_fire_at_ms, coalesce(lease_until_ms, next_fire_at_ms)))
                    FROM clocks WHERE state = 'running' AND next_fire_at_ms IS NOT NULL
                    """, logger: logger
                ).first
                guard let row, !row.isNull(0) else { return nil }
                guard let milliseconds = row.int64(0) else { throw NextClockFire.corrupt }
                return StoreTime.date(milliseconds)
            }
        }
    }

    public func releaseClock(incident: Int, name: String, worker: String) async throws {
        let logger = logger
        try await writing("release clock") { connection in
            let released = try await connection.rows(
                """
                UPDATE clocks SET claimed_by = NULL, lease_until_ms = NULL
                WHERE incident = ? AND name = ? AND claimed_by = ? RETURNING 1
                """,
                [SQLiteValue(incident), .text(name), .text(worker)], logger: logger)
            guard released.isEmpty else { return ((), true) }
            // Not (or no longer) this worker's: fine. No such row at all: a mistake.
            let exists = try await connection.rows(
                "SELECT 1 FROM clocks WHERE incident = ? AND name = ?", [SQLiteValue(incident), .text(name)], logger: logger)
            guard !exists.isEmpty else { throw StoreError(.failure, "incident \(incident) has no clock \(name)") }
            return ((), false)
        }
    }
}
