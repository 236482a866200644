import Foundation
import VigilCore

/// The SQL of `list`, `list breached` and the overdue scan, which both adapters run as it is
/// (only the placeholders differ, and ``PostgresStatement`` numbers those).
enum ListingQueries {
    /// The kinds `overdueIncidents` and `list breached` count: deadlines, not the escalation
    /// policy's timer.
    static let deadlineKinds: [ClockKind] = [.ack, .resolve, .step, .legal]

    static let joinedClockColumns = StoreRows.clockColumns.map { "c.\($0)" }.joined(separator: ", ")

    /// `list`: the filter's incidents, each joined to its clocks unless resolved.
    static func listed(_ filter: IncidentFilter) -> (String, [SQLiteValue]) {
        let (incidents, bindings) = SQLiteIncidentStore.incidentsQuery(filter)
        let sql = """
            SELECT l.*, \(joinedClockColumns) FROM (\(incidents)) AS l
            LEFT JOIN clocks AS c ON c.incident = l.number AND l.state <> 'resolved'
            ORDER BY l.number DESC, c.due_at_ms, c.name
            """
        return (sql, bindings)
    }

    /// `list breached`: the category is matched on the clock rows (which carry their
    /// incident's), so it narrows before the limit, not after.
    static func breached(now: Date, category: String?, limit: Int) -> (String, [SQLiteValue]) {
        let kinds = deadlineKinds.map { SQLiteValue.text($0.rawValue) }
        let sql = """
            SELECT \(StoreRows.incidentColumns.map { "i.\($0)" }.joined(separator: ", ")), \(joinedClockColumns)
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
        return (sql, bindings)
    }

    /// Numbers of incidents with a running deadline past `now`.
    static func overdue(now: Date, limit: Int) -> (String, [SQLiteValue]) {
        let kinds = deadlineKinds.map { SQLiteValue.text($0.rawValue) }
        let sql = """
            SELECT DISTINCT incident FROM clocks
            WHERE state = 'running' AND due_at_ms < ?
              AND kind IN (\(Array(repeating: "?", count: kinds.count).joined(separator: ", ")))
            ORDER BY incident LIMIT ?
            """
        return (sql, [.integer(StoreTime.milliseconds(now))] + kinds + [SQLiteValue(limit)])
    }
}
