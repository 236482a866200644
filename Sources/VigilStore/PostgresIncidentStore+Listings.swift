import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - Listings

/// `list`, `list breached`, the overdue scan and the outbox's health, each one statement on one
/// snapshot, as the SQLite store reads them (the SQL is the same but for the placeholders).
extension PostgresIncidentStore {
    public func listed(matching filter: IncidentFilter) async throws -> [ListedIncident] {
        guard filter.limit > 0 else { return [] }
        let (sql, bindings) = ListingQueries.listed(filter)
        let logger = logger
        return try await reading("list") { try await Self.listedIncidents(sql, bindings, on: $0, logger: logger) }
    }

    public func breached(now: Date, category: String?, limit: Int) async throws -> [ListedIncident] {
        guard limit > 0 else { return [] }
        let (sql, bindings) = ListingQueries.breached(now: now, category: category, limit: limit)
        let logger = logger
        return try await reading("list breached") { try await Self.listedIncidents(sql, bindings, on: $0, logger: logger) }
    }

    public func overdueIncidents(now: Date, limit: Int) async throws -> [Int] {
        guard limit > 0 else { return [] }
        let (sql, bindings) = ListingQueries.overdue(now: now, limit: limit)
        let logger = logger
        return try await reading("overdue incidents") { connection in
            try await connection.rows(sql, bindings, logger: logger) { row in
                var reader = RowReader(row, table: "clocks", columns: ["incident"])
                return try reader.int()
            }
        }
    }

    public func outboxHealth() async throws -> OutboxHealth {
        let logger = logger
        return try await reading("outbox health") { connection in
            let row = try await connection.rows(
                """
                SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'),
                       (SELECT count(*) FROM outbox WHERE state = 'dead')
                """, logger: logger
            ).first
            return OutboxHealth(pending: row?.int(0) ?? 0, deadLettered: row?.int(1) ?? 0)
        }
    }

    /// Folds the joined rows into incidents with their clocks, in the query's order.
    private static func listedIncidents(
        _ sql: String, _ bindings: [SQLiteValue], on connection: PostgresConnection, logger: Logger
    ) async throws -> [ListedIncident] {
        let clockStart = StoreRows.incidentColumns.count
        var listed: [ListedIncident] = []
        for row in try await connection.rows(sql, bindings, logger: logger) {
            if listed.last?.incident.number != row.int(0) {
                listed.append(ListedIncident(incident: try StoreRows.incident(row), clocks: []))
            }
            if !row.isNull(clockStart) {
                listed[listed.count - 1].clocks.append(try StoreRows.clock(row, startingAt: clockStart))
            }
        }
        return listed
    }
}
