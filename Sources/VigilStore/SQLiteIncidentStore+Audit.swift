import Foundation
import VigilCore

// MARK: - Audit

/// `vigil audit verify`'s walk over every incident: a page of numbers at a time, by the primary
/// key, on the report reader so a long walk never delays a view. The events and row of each
/// incident are then read together by ``incidentRecord(_:)``.
extension SQLiteIncidentStore {
    public func incidentNumbers(after number: Int, limit: Int) async throws -> [Int] {
        guard limit > 0 else { return [] }
        return try await reading("incident numbers", lane: .report) { database in
            try database.query(Self.incidentNumbersQuery, [SQLiteValue(number), SQLiteValue(limit)]) { row in
                var reader = RowReader(row, table: "incidents", columns: ["number"])
                return try reader.int()
            }
        }
    }

    /// A page of incident numbers above the first value, at most the second; the PostgreSQL
    /// store runs it too.
    static let incidentNumbersQuery = "SELECT number FROM incidents WHERE number > ? ORDER BY number LIMIT ?"
}
