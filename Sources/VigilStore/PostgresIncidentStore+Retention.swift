import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - Retention

/// One bounded batch per call, oldest first through an index, in its own short transaction, as
/// on SQLite; `SKIP LOCKED` lets two replicas' retention passes share a backlog instead of
/// queueing behind each other.
extension PostgresIncidentStore: StoreMaintenance {
    public func pruneRequests(createdBefore cutoff: Date, limit: Int) async throws -> Int {
        try await deleteBatch(
            "prune requests",
            """
            WITH doomed AS (
                SELECT request_id FROM idempotency WHERE created_at_ms < ?
                ORDER BY created_at_ms LIMIT ? FOR UPDATE SKIP LOCKED)
            DELETE FROM idempotency WHERE request_id IN (SELECT request_id FROM doomed) RETURNING 1
            """, before: cutoff, limit: limit)
    }

    /// Only delivered rows: pending ones are still owed to a channel, and dead-lettered ones are
    /// shown in `status` until someone looks at them.
    public func pruneDeliveredPosts(deliveredBefore cutoff: Date, limit: Int) async throws -> Int {
        try await deleteBatch(
            "prune delivered posts",
            """
            WITH doomed AS (
                SELECT id FROM outbox WHERE state = 'delivered' AND delivered_at_ms < ?
                ORDER BY delivered_at_ms LIMIT ? FOR UPDATE SKIP LOCKED)
            DELETE FROM outbox WHERE id IN (SELECT id FROM doomed) RETURNING 1
            """, before: cutoff, limit: limit)
    }

    private func deleteBatch(_ label: String, _ sql: String, before cutoff: Date, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        let cutoff = StoreTime.milliseconds(cutoff)
        let logger = logger
        return try await writing(label) { connection in
            (try await connection.rows(sql, [.integer(cutoff), SQLiteValue(limit)], logger: logger).count, true)
        }
    }
}
