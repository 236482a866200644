import Foundation
import Logging
import PostgresNIO
import VigilCore

/// `vigil db copy` from or into PostgreSQL. The copy in is one transaction: a failure leaves the
/// target as empty as it was.
extension PostgresIncidentStore: StoreCopyEndpoint {
    public func copyPage(_ table: String, after: [SQLiteValue]?, limit: Int) async throws -> [[SQLiteValue]] {
        let (sql, bindings) = try CopyTable.named(table).pageQuery(after: after, limit: limit)
        let logger = logger
        return try await reading("copy \(table)") { try await $0.rows(sql, bindings, logger: logger).map(\.values) }
    }

    public func copyCounts() async throws -> [String: Int] {
        let logger = logger
        return try await reading("copy counts") { connection in
            let row = try await connection.rows(CopyTable.countQuery, logger: logger).first
            return Dictionary(uniqueKeysWithValues: CopyTable.all.enumerated().map { ($1.name, row?.int($0) ?? 0) })
        }
    }

    public func copyIn(_ pages: AsyncThrowingStream<(table: String, rows: [[SQLiteValue]]), any Error>) async throws {
        let logger = logger
        do {
            _ = try await transaction { connection in
                for try await page in pages {
                    for chunk in try CopyTable.named(page.table).insertChunks(page.rows) {
                        try await connection.execute(chunk.sql, chunk.bindings, logger: logger)
                    }
                }
                // New outbox rows and overrides must get ids past the copied ones.
                try await connection.execute(
                    "SELECT setval(pg_get_serial_sequence('outbox', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM outbox",
                    logger: logger)
                try await connection.execute(
                    "SELECT setval(pg_get_serial_sequence('oncall_overrides', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM oncall_overrides",
                    logger: logger)
                return ((), true)
            }
        } catch {
            throw Self.translated(error, "copy")
        }
    }
}
