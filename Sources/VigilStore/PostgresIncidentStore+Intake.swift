import Foundation
import Logging
import PostgresNIO
import VigilCore

/// Intake dedup keys (`intake_keys`, migration 7), as SQLite keeps them.
extension PostgresIncidentStore: IntakeKeyStore {
    public func intakeIncident(key: String) async throws -> Int? {
        let logger = logger
        return try await reading("intake key") { connection in
            try await connection.rows("SELECT incident FROM intake_keys WHERE key = ?", [.text(key)], logger: logger).first?.int(0)
        }
    }

    /// Records `write` in the unit's transaction; see the SQLite adapter. A racing delivery that
    /// recorded the key first makes this ``StoreError/Kind/keyTaken``.
    static func writeIntakeKey(_ write: IntakeKeyWrite, createdAt: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        if let replacing = write.replacing {
            let updated = try await connection.rows(
                "UPDATE intake_keys SET incident = ?, updated_at_ms = ? WHERE key = ? AND incident = ? RETURNING 1::bigint",
                [SQLiteValue(write.incident), .integer(createdAt), .text(write.key), SQLiteValue(replacing)], logger: logger)
            guard updated.count == 1 else { throw StoreError(.keyTaken, "intake key no longer names incident \(replacing)") }
            return
        }
        do {
            try await connection.execute(
                "INSERT INTO intake_keys (key, incident, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)",
                [.text(write.key), SQLiteValue(write.incident), .integer(createdAt), .integer(createdAt)], logger: logger)
        } catch let error as PSQLError where error.sqlState == "23505" {
            throw StoreError(.keyTaken, "intake key already recorded")
        }
    }
}
