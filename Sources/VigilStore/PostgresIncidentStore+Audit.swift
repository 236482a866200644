import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - Audit

/// `vigil audit verify`'s walk over every incident, a page of numbers at a time by the primary
/// key, with the same statement as the SQLite store's.
extension PostgresIncidentStore: AuditReads {
    public func incidentNumbers(after number: Int, limit: Int) async throws -> [Int] {
        guard limit > 0 else { return [] }
        let logger = logger
        return try await reading("incident numbers") { connection in
            try await connection.rows(
                SQLiteIncidentStore.incidentNumbersQuery, [SQLiteValue(number), SQLiteValue(limit)], logger: logger
            ) { row in
                var reader = RowReader(row, table: "incidents", columns: ["number"])
                return try reader.int()
            }
        }
    }

    public func ledgerEvents() async throws -> [IncidentEvent] {
        let logger = logger
        return try await reading("the preservation ledger") { connection in
            try await connection.rows(SQLiteIncidentStore.ledgerEventsQuery, [], logger: logger) { try StoreRows.event($0) }
        }
    }
}
