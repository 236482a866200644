import Foundation
import VigilCore

// MARK: - Listings

/// `list` and `list breached` read their incidents and those incidents' clock rows in one query
/// on one snapshot: the incidents as a subquery, joined to their clocks, one result row per
/// clock (or one with NULL clock columns for an incident without any, or a resolved one).
extension SQLiteIncidentStore {
    public func listed(matching filter: IncidentFilter) async throws -> [ListedIncident] {
        guard filter.limit > 0 else { return [] }
        let (incidents, bindings) = Self.incidentsQuery(filter)
        let sql = """
            SELECT l.*, \(Self.joinedClockColumns) FROM (\(incidents)) AS l
            LEFT JOIN clocks AS c ON c.incident = l.number AND l.state <> 'resolved'
            ORDER BY l.number DESC, c.due_at_ms, c.name
            """
        return try await reading("list") { try Self.listedIncidents(sql, bindings, in: $0) }
    }

    public func breached(now: Date, category: String?, limit: Int) async throws -> [ListedIncident] {
        guard limit > 0 else { return [] }
        let kinds = Self.deadlineKinds.map { SQLiteValue.text($0.rawValue) }
        // The category is matched on the clock rows (which carry their incident's), so it
        // narrows before the limit, not after.
        let sql = """
            SELECT \(StoreRows.incidentColumns.map { "i.\($0)" }.joined(separator: ", ")), \(Self.joinedClockColumns)
            FROM (SELECT DISTINCT incident FROM clocks
                  WHERE state = 'running' AND due_at_ms < ?
                    AND kind IN (\(Array(repeating: "?", count: kinds.count).joined(separator: ", ")))
                    \(category == nil ? "" : "AND category = ?")
                  ORDER BY incident LIMIT ?) AS due
            JOIN incidents AS i ON i.number = due.incident
            LEFT JOIN clocks AS c ON c.incident = i.number AND i.state <> 'resolved'
            ORDER BY i.number, c.due_at_ms, c.name
            """
        let bindings = [.integer(StoreTime.milliseconds(now))] + kinds + (category.map { [.text($0)] } ?? []) + [SQLiteValue(limit)]
        return try await reading("list breached") { try Self.listedIncidents(sql, bindings, in: $0) }
    }

    static let joinedClockColumns = StoreRows.clockColumns.map { "c.\($0)" }.joined(separator: ", ")

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
