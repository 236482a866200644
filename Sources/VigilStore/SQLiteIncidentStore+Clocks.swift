import Foundation
import VigilCore

// MARK: - Clocks

/// Clock rows are written by ``SQLiteIncidentStore/perform(_:)`` in the unit of work's transaction,
/// upserted by (incident, name), and only for the incident that unit of work changes.
///
/// The SLA scheduler claims the running rows it has work for under a lease, as delivery claims
/// outbox rows: claiming happens in one write transaction, so two workers (or two processes on
/// one file) never hold one row at once. A lease ends when it runs out, when a commit writes the
/// row (the writer decided its fate) or when its worker releases it. What stops a firing computed
/// from a stale read is the commit's sequence check, not the lease.
extension SQLiteIncidentStore {
    public func clocks(of number: Int) async throws -> [ClockRow] {
        try await reading("clocks") { try Self.clocks(of: number, in: $0) }
    }

    static func clocks(of number: Int, in database: SQLiteDatabase) throws -> [ClockRow] {
        try database.query("\(StoreRows.selectClocks) WHERE incident = ? ORDER BY due_at_ms, name", [SQLiteValue(number)]) {
            try StoreRows.clock($0)
        }
    }

    public func claimDueClocks(now: Date, limit: Int, worker: String, leaseUntil: Date) async throws -> [ClockRow] {
        guard limit > 0 else { return [] }
        let now = StoreTime.milliseconds(now)
        let leaseUntil = StoreTime.milliseconds(leaseUntil)
        return try await perform("claim due clocks") { database in
            try database.transaction {
                let candidates = try database.query(
                    StoreRows.selectClaimableClocks, [.integer(now), .integer(now), SQLiteValue(limit)]
                ) { row in
                    (rowid: row.int64(StoreRows.clockColumns.count), row: Result { try StoreRows.clock(row) })
                }
                var claimed: [ClockRow] = []
                for candidate in candidates {
                    guard let rowid = candidate.rowid else { continue }
                    // A row that does not decode (corrupt, or of a kind only a newer build knows)
                    // is leased but not returned: it cannot hold up the rows behind it, nor make
                    // the scheduler spin on it, and it is left as it is for whoever can read it
                    // once the lease runs out. `clocks(of:)` still fails on it, naming the column.
                    try database.run(
                        "UPDATE clocks SET claimed_by = ?, lease_until_ms = ? WHERE rowid = ?",
                        [.text(worker), .integer(leaseUntil), .integer(rowid)])
                    if case let .success(row) = candidate.row { claimed.append(row) }
                }
                return claimed
            }
        }
    }

    public func nextClockFireAt() async throws -> Date? {
        try await reading("next clock fire time") { database in
            let rows = try database.query(NextClockFire.windowSQL, [.integer(Int64(NextClockFire.window))]) { row in
                guard let next = row.int64(0), row.isNull(1) || row.int64(1) != nil else { throw NextClockFire.corrupt }
                return NextClockFire.Row(next: next, lease: row.isNull(1) ? nil : row.int64(1))
            }
            switch NextClockFire.earliest(in: rows) {
            case let .earliest(milliseconds): return milliseconds.map(StoreTime.date)
            case .beyondWindow:
                let next = try database.queryFirst(
                    """
                    SELECT min(max(next_fire_at_ms, coalesce(lease_until_ms, next_fire_at_ms)))
                    FROM clocks WHERE state = 'running' AND next_fire_at_ms IS NOT NULL
                    """
                ) { row -> Int64? in
                    if row.isNull(0) { return nil }
                    guard let milliseconds = row.int64(0) else { throw NextClockFire.corrupt }
                    return milliseconds
                } ?? nil
                return next.map(StoreTime.date)
            }
        }
    }

    public func overdueIncidents(now: Date, limit: Int) async throws -> [Int] {
        guard limit > 0 else { return [] }
        let (sql, bindings) = ListingQueries.overdue(now: now, limit: limit)
        return try await reading("overdue incidents") { database in
            try database.query(sql, bindings) { row in
                var reader = RowReader(row, table: "clocks", columns: ["incident"])
                return try reader.int()
            }
        }
    }

    public func releaseClock(incident: Int, name: String, worker: String) async throws {
        try await perform("release clock") { database in
            try database.run(
                """
                UPDATE clocks SET claimed_by = NULL, lease_until_ms = NULL
                WHERE incident = ? AND name = ? AND claimed_by = ?
                """,
                [SQLiteValue(incident), .text(name), .text(worker)])
            guard database.changes == 0 else { return }
            // Not (or no longer) this worker's: fine. No such row at all: a mistake.
            let exists = try database.queryFirst(
                "SELECT 1 FROM clocks WHERE incident = ? AND name = ?", [SQLiteValue(incident), .text(name)]
            ) { _ in true }
            guard exists == true else { throw StoreError(.failure, "incident \(incident) has no clock \(name)") }
        }
    }

    /// Refuses clocks the unit of work cannot write: with no incident, for another incident, two
    /// rows for one name (which would leave the result to the order of the array), or negative counts.
    static func validateClocks(_ work: UnitOfWork) throws {
        guard !work.clocks.isEmpty else { return }
        guard let number = work.incident?.number else { throw StoreError(.failure, "clocks without an incident") }
        var names: Set<String> = []
        for (offset, clock) in work.clocks.enumerated() {
            guard clock.incident == number else {
                throw StoreError(
                    .failure, "clock \(offset + 1) of the unit of work is for incident \(clock.incident), not \(number)")
            }
            guard names.insert(clock.name).inserted else {
                throw StoreError(.failure, "clock \(offset + 1) of the unit of work repeats an earlier clock's name")
            }
            guard clock.warningsSent >= 0, clock.alertsSent >= 0 else {
                throw StoreError(.failure, "clock \(offset + 1) of the unit of work has a negative count")
            }
        }
    }

    /// Upserts the unit of work's clocks, dropping any lease on them; runs inside the commit's
    /// transaction, after the projection they reference has been written.
    /// Writes `clocks` of `incident`, and keeps the incident's severity and category on all its
    /// clock rows (reports count deadlines by them without joining the incidents).
    static func writeClocks(_ clocks: [ClockRow], of incident: Incident, in database: SQLiteDatabase) throws {
        let severity = SQLiteValue.text(incident.severity), category = SQLiteValue.text(incident.category)
        for clock in clocks {
            try database.run(StoreRows.upsertClock, StoreRows.bindings(clock) + [severity, category])
        }
        try database.run(
            "UPDATE clocks SET severity = ?2, category = ?3 WHERE incident = ?1 AND (severity IS NOT ?2 OR category IS NOT ?3)",
            [SQLiteValue(incident.number), severity, category])
    }
}
