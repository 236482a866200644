import Foundation
import VigilCore

/// Intake dedup keys (`intake_keys`, migration 14): read for a delivery before its unit of work,
/// written inside it.
extension SQLiteIncidentStore {
    public func intakeIncident(key: String) async throws -> Int? {
        try await reading("intake key") { database in
            try database.queryFirst("SELECT incident FROM intake_keys WHERE key = ?", [.text(key)]) { $0.int(0) }
        }.flatMap { $0 }
    }

    /// Records `write` in the unit's transaction. A key another delivery recorded first, or
    /// moved on since it was read, is ``StoreError/Kind/keyTaken``: the unit rolls back, and
    /// the caller reads the key again and joins that incident.
    static func writeIntakeKey(_ write: IntakeKeyWrite, createdAt: Int64, in database: SQLiteDatabase) throws {
        if let replacing = write.replacing {
            try database.run(
                "UPDATE intake_keys SET incident = ?, updated_at_ms = ? WHERE key = ? AND incident = ?",
                [SQLiteValue(write.incident), .integer(createdAt), .text(write.key), SQLiteValue(replacing)])
            guard database.changes == 1 else { throw StoreError(.keyTaken, "intake key no longer names incident \(replacing)") }
            return
        }
        do {
            try database.run(
                "INSERT INTO intake_keys (key, incident, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)",
                [.text(write.key), SQLiteValue(write.incident), .integer(createdAt), .integer(createdAt)])
        } catch let error as SQLiteError where error.isUniquenessViolation {
            throw StoreError(.keyTaken, "intake key already recorded")
        }
    }
}
