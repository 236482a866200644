import Foundation
import VigilCore

// MARK: - Outbox

/// Outbox rows move `pending` → `delivered` or `pending` → `dead`. A pending row is claimable when
/// its next attempt is due and it holds no live lease; claiming and every change happen in a
/// transaction, so two workers (or two processes on one file) never hold one row at once.
extension SQLiteIncidentStore {
    public func claimOutbox(now: Date, limit: Int, worker: String, leaseUntil: Date) async throws -> [OutboxRow] {
        guard limit > 0 else { return [] }
        let now = StoreTime.milliseconds(now)
        let leaseUntil = StoreTime.milliseconds(leaseUntil)
        return try await perform("claim outbox") { database in
            try database.transaction {
                let candidates = try database.query(
                    StoreRows.selectClaimableOutbox, [.integer(now), .integer(now), SQLiteValue(limit)]
                ) { row in (id: row.int64(0), row: Result { try StoreRows.outboxRow(row) }) }

                var claimed: [OutboxRow] = []
                for candidate in candidates {
                    guard let id = candidate.id else { continue }
                    switch candidate.row {
                    case let .success(row):
                        try database.run(
                            "UPDATE outbox SET claimed_by = ?, lease_until_ms = ? WHERE id = ?",
                            [.text(worker), .integer(leaseUntil), .integer(id)])
                        claimed.append(row)
                    case let .failure(error):
                        // A row that cannot be read would be retried forever and hold up the rows
                        // behind it: dead-letter it, visibly, instead.
                        try database.run(
                            """
                            UPDATE outbox SET state = 'dead', last_error = ?, dead_at_ms = ?,
                                claimed_by = NULL, lease_until_ms = NULL
                            WHERE id = ?
                            """,
                            [.text("unreadable row: \(error)"), .integer(now), .integer(id)])
                    }
                }
                return claimed
            }
        }
    }

    public func markDelivered(_ ids: [Int64], at: Date) async throws {
        guard !ids.isEmpty else { return }
        let at = StoreTime.milliseconds(at)
        try await perform("mark delivered") { database in
            try database.transaction {
                for id in ids {
                    try database.run(
                        """
                        UPDATE outbox SET state = 'delivered', delivered_at_ms = ?, claimed_by = NULL, lease_until_ms = NULL
                        WHERE id = ? AND state <> 'delivered'
                        """,
                        [.integer(at), .integer(id)])
                    try Self.requireRow(id, changed: database.changes, in: database)
                }
            }
        }
    }

    public func reschedule(_ id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws {
        let next = StoreTime.milliseconds(nextAttemptAt)
        try await perform("reschedule outbox row") { database in
            // Only a pending row: one another worker delivered after our lease ran out stays delivered.
            try database.run(
                """
                UPDATE outbox SET attempts = ?, next_attempt_at_ms = ?, last_error = ?,
                    claimed_by = NULL, lease_until_ms = NULL
                WHERE id = ? AND state = 'pending'
                """,
                [SQLiteValue(attempts), .integer(next), .text(Self.clipped(error)), .integer(id)])
            try Self.requireRow(id, changed: database.changes, in: database)
        }
    }

    public func deadLetter(_ id: Int64, attempts: Int, error: String, at: Date) async throws {
        let at = StoreTime.milliseconds(at)
        try await perform("dead-letter outbox row") { database in
            try database.run(
                """
                UPDATE outbox SET state = 'dead', attempts = ?, last_error = ?, dead_at_ms = ?,
                    claimed_by = NULL, lease_until_ms = NULL
                WHERE id = ? AND state = 'pending'
                """,
                [SQLiteValue(attempts), .text(Self.clipped(error)), .integer(at), .integer(id)])
            try Self.requireRow(id, changed: database.changes, in: database)
        }
    }

    public func nextOutboxDue() async throws -> Date? {
        try await perform("next outbox due") { database in
            // A pending row is claimable once its attempt is due and any lease has run out.
            let due = try database.queryFirst(
                """
                SELECT min(max(next_attempt_at_ms, coalesce(lease_until_ms, next_attempt_at_ms)))
                FROM outbox WHERE state = 'pending'
                """
            ) { $0.int64(0) } ?? nil
            return due.map(StoreTime.date)
        }
    }

    public func outboxHealth() async throws -> OutboxHealth {
        try await perform("outbox health") { database in
            let counts = try database.query(
                "SELECT state, count(*) FROM outbox WHERE state IN ('pending', 'dead') GROUP BY state"
            ) { (state: $0.text(0), count: $0.int(1) ?? 0) }
            return OutboxHealth(
                pending: counts.first { $0.state == "pending" }?.count ?? 0,
                deadLettered: counts.first { $0.state == "dead" }?.count ?? 0)
        }
    }

    /// Fails when no row was changed because there is no such row; a row another worker already
    /// finished is left as it is.
    private static func requireRow(_ id: Int64, changed: Int, in database: SQLiteDatabase) throws {
        guard changed == 0 else { return }
        let exists = try database.queryFirst("SELECT 1 FROM outbox WHERE id = ?", [.integer(id)]) { _ in true }
        guard exists == true else { throw StoreError(.failure, "there is no outbox row \(id)") }
    }

    /// Delivery errors can quote whole response bodies; keep the row small.
    private static func clipped(_ error: String) -> String {
        error.count <= 2000 ? error : String(error.prefix(2000)) + "…"
    }
}
