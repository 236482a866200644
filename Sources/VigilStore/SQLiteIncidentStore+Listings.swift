import Foundation
import VigilCore

// MARK: - Listings

/// `list` and `list breached` read their incidents and those incidents' clock rows in one query
/// on one snapshot: the incidents as a subquery, joined to their clocks, one result row per
/// clock (or one with NULL clock columns for an incident without any, or a resolved one).
extension SQLiteIncidentStore {
    public func listed(matching filter: IncidentFilter) async throws -> [ListedIncident] {
        guard filter.limit > 0 else { return [] }
        let (sql, bindings) = ListingQueries.listed(filter)
        return try await reading("list") { try Self.listedIncidents(sql, bindings, in: $0) }
    }

    public func breached(now: Date, category: String?, limit: Int) async throws -> [ListedIncident] {
        guard limit > 0 else { return [] }
        let (sql, bindings) = ListingQueries.breached(now: now, category: category, limit: limit)
        return try await reading("list breached") { try Self.listedIncidents(sql, bindings, in: $0) }
    }

    /// Folds the joined rows into incidents with their clocks, in the query's order. Each
    /// incident is decoded once, from its first row.
    private static func listedIncidents(_ sql: String, _ bindings: [SQLiteValue], in database: SQLiteDatabase) throws -> [ListedIncident] {
        let clockStart = StoreRows.incidentColumns.count
        var listed: [ListedIncident] = []
        try database.forEach(sql, bindings) { row in
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
