import Foundation
import VigilCore

/// `vigil status`'s statements, shared by both stores (PostgreSQL numbers the `?`s), and the
/// folding of their rows into a ``StoreStatus``.
enum StatusQueries {
    static let schemaVersion = "SELECT coalesce(max(version), 0) FROM schema_migrations"

    /// Per channel: pending, pending after a failed attempt, dead.
    static let outboxByChannel = """
        SELECT channel,
               sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END),
               sum(CASE WHEN state = 'pending' AND attempts > 0 THEN 1 ELSE 0 END),
               sum(CASE WHEN state = 'dead' THEN 1 ELSE 0 END)
        FROM outbox WHERE state IN ('pending', 'dead')
        GROUP BY channel ORDER BY channel
        """

    static let oldestPending = "SELECT min(created_at_ms) FROM outbox WHERE state = 'pending'"

    /// The newest dead letters: `?` limit.
    static let deadLetters = """
        SELECT id, channel, incident, attempts, dead_at_ms, last_error FROM outbox
        WHERE state = 'dead' ORDER BY dead_at_ms DESC, id DESC LIMIT ?
        """

    static let incidentsByState = "SELECT state, count(*) FROM incidents WHERE state <> 'resolved' GROUP BY state"

    /// The deadline kinds as bindings, after `?` now.
    private static var kinds: (sql: String, bindings: [SQLiteValue]) {
        let kinds = ListingQueries.deadlineKinds
        return (Array(repeating: "?", count: kinds.count).joined(separator: ", "), kinds.map { .text($0.rawValue) })
    }

    /// Incidents with a running deadline clock due before `now`, as ``ListingQueries/overdue(now:limit:)`` finds them.
    static func breached(now: Date) -> (String, [SQLiteValue]) {
        let sql = "SELECT count(DISTINCT incident) FROM clocks WHERE state = 'running' AND due_at_ms < ? AND kind IN (\(kinds.sql))"
        return (sql, [.integer(StoreTime.milliseconds(now))] + kinds.bindings)
    }

    /// The running deadline clock due next at or after `now`.
    static func nextClock(now: Date) -> (String, [SQLiteValue]) {
        let sql = """
            SELECT incident, name, due_at_ms FROM clocks
            WHERE state = 'running' AND due_at_ms >= ? AND kind IN (\(kinds.sql))
            ORDER BY due_at_ms, incident, name LIMIT 1
            """
        return (sql, [.integer(StoreTime.milliseconds(now))] + kinds.bindings)
    }

    // MARK: - Rows

    static func channel<Row: StoreRow>(_ row: Row) -> StoreStatus.Channel {
        StoreStatus.Channel(
            channel: row.text(0) ?? "?", pending: count(row, 1), retrying: count(row, 2), deadLettered: count(row, 3))
    }

    static func deadLetter<Row: StoreRow>(_ row: Row) -> StoreStatus.DeadLetter {
        StoreStatus.DeadLetter(
            id: row.int64(0) ?? 0, channel: row.text(1) ?? "?", incident: row.int64(2).map { Int($0) }, attempts: count(row, 3),
            deadAt: row.int64(4).map(StoreTime.date), lastError: row.text(5))
    }

    static func incidentCount<Row: StoreRow>(_ row: Row) -> (IncidentState, Int)? {
        guard let state = row.text(0).flatMap(IncidentState.init(rawValue:)) else { return nil }
        return (state, count(row, 1))
    }

    static func nextClock<Row: StoreRow>(_ row: Row) -> StoreStatus.NextClock? {
        guard let incident = row.int64(0), let name = row.text(1), let due = row.int64(2) else { return nil }
        return StoreStatus.NextClock(incident: Int(incident), name: name, dueAt: StoreTime.date(due))
    }

    static func count<Row: StoreRow>(_ row: Row, _ index: Int) -> Int {
        row.int64(index).map { Int($0) } ?? 0
    }

    /// Both unresolved states, zero when none is counted.
    static func incidents(_ counts: [(IncidentState, Int)]) -> [IncidentState: Int] {
        var all: [IncidentState: Int] = [.open: 0, .acknowledged: 0]
        for (state, count) in counts { all[state] = count }
        return all
    }
}
