import Foundation
import VigilCore

// MARK: - Retention

/// Deleting what is only kept for a while: idempotency records and delivered posts. Each call
/// deletes one bounded batch in its own short transaction, oldest first, through an index, so a
/// large backlog never holds the writer for long; the caller repeats until a batch comes back short.
extension SQLiteIncidentStore {
    public func pruneRequests(createdBefore cutoff: Date, limit: Int) async throws -> Int {
        try await deleteBatch(
            "prune requests",
            """
            DELETE FROM idempotency WHERE rowid IN (
                SELECT rowid FROM idempotency WHERE created_at_ms < ? ORDER BY created_at_ms LIMIT ?)
            """, before: cutoff, limit: limit)
    }

    /// Only delivered rows: pending ones are still owed to a channel, and dead-lettered ones are
    /// shown in `status` until someone looks at them.
    public func pruneDeliveredPosts(deliveredBefore cutoff: Date, limit: Int) async throws -> Int {
        try await deleteBatch(
            "prune delivered posts",
            """
            DELETE FROM outbox WHERE id IN (
                SELECT id FROM outbox WHERE state = 'delivered' AND delivered_at_ms < ?
                ORDER BY delivered_at_ms LIMIT ?)
            """, before: cutoff, limit: limit)
    }

    /// Runs one batched `DELETE` taking the cutoff and the batch size; returns the rows deleted.
    private func deleteBatch(_ label: String, _ sql: String, before cutoff: Date, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        let cutoff = StoreTime.milliseconds(cutoff)
        return try await perform(label) { database in
            try database.transaction {
                try database.run(sql, [.integer(cutoff), SQLiteValue(limit)])
                return database.changes
            }
        }
    }
}
