import Foundation
import Logging
import PostgresNIO
import VigilCore

/// Reports on PostgreSQL: the same ``ReportFacts`` as the SQLite store's (the same definitions,
/// the same order in every array), read from one REPEATABLE READ snapshot per report.
///
/// SQLite's planner needed a seek per key (severity, category, kind, rule) and one index range
/// per key; PostgreSQL's groups one index range per period column instead: each figure below is
/// one statement that reads the period's range of one index (migration 2 adds the two ranges
/// version 1 had no index for: acknowledgements, and met clocks by when they stopped) and
/// groups or sorts only the rows of the period. Text keys are ordered `COLLATE "C"` (bytes, as
/// SQLite's BINARY orders them) whatever the database's collation.
extension PostgresIncidentStore: ReportReads {
    public func reportFacts(_ query: ReportQuery) async throws -> ReportFacts {
        let logger = logger
        return try await reading("report") { try await Self.reportFacts(query, on: $0, logger: logger) }
    }

    public func reportedIncidents(since: Date, asOf: Date, after number: Int, limit: Int) async throws -> [ReportedIncident] {
        guard limit > 0 else { return [] }
        let logger = logger
        return try await reading("reported incidents") { connection in
            let incidents = try await connection.rows(
                """
                \(StoreRows.selectIncidents)
                WHERE number > ? AND opened_at_ms < ? AND (resolved_at_ms IS NULL OR resolved_at_ms >= ?)
                ORDER BY number LIMIT ?
                """,
                [SQLiteValue(number), .integer(StoreTime.milliseconds(asOf)), .integer(StoreTime.milliseconds(since)), SQLiteValue(limit)],
                logger: logger
            ) { try StoreRows.incident($0) }
            guard !incidents.isEmpty else { return [] }
            // By number (the primary key), not by range, as on SQLite.
            var clocks: [Int: [ClockRow]] = [:]
            for clock in try await connection.rows(
                """
                \(StoreRows.selectClocks) WHERE incident IN (\(incidents.map { _ in "?" }.joined(separator: ", "))) AND kind <> 'escalation'
                ORDER BY incident, due_at_ms, name COLLATE "C"
                """,
                incidents.map { SQLiteValue($0.number) }, logger: logger, { try StoreRows.clock($0) })
            {
                clocks[clock.incident, default: []].append(clock)
            }
            return incidents.map { incident in
                ReportedIncident(
                    headline: SQLiteIncidentStore.headline(incident), level: incident.level, reporter: incident.reporter,
                    knownAt: incident.knownAt, reopenedAt: incident.reopenedAt, acknowledgedAt: incident.acknowledgedAt,
                    resolvedAt: incident.resolvedAt, playbook: incident.playbook, refs: incident.refs, clocks: clocks[incident.number] ?? [])
            }
        }
    }

    // MARK: - The queries

    static func reportFacts(_ query: ReportQuery, on connection: PostgresConnection, logger: Logger) async throws -> ReportFacts {
        let since = SQLiteValue.integer(StoreTime.milliseconds(query.since))
        let asOf = SQLiteValue.integer(StoreTime.milliseconds(query.asOf))
        var facts = ReportFacts()

        // Opened: the period's range of `incidents_by_opened`, grouped by class.
        for row in try await connection.rows(
            """
            SELECT severity, category, count(*) FROM incidents WHERE opened_at_ms >= ? AND opened_at_ms < ?
            GROUP BY severity, category ORDER BY severity COLLATE "C", category COLLATE "C"
            """, [since, asOf], logger: logger)
        {
            var r = RowReader(row, table: "incidents", columns: ["severity", "category", "opened"])
            facts.opened.append(ClassCount(severity: try r.text(), category: try r.text(), count: try r.int()))
        }

        // Resolved, and the times to resolve, from the period's range of `incidents_by_resolved`;
        // those resolved without an acknowledgement also count as acknowledged then. In the order
        // SQLite reads them (its index by class, resolution and cycle start), so that the arrays,
        // not only their sorted values, are the same.
        var unacknowledged: [String: [Int64]] = [:]
        var resolved: (severity: String, category: String, count: Int)?
        for row in try await connection.rows(
            """
            SELECT severity, category, resolved_at_ms - coalesce(reopened_at_ms, known_at_ms), acknowledged_at_ms IS NULL
            FROM incidents WHERE resolved_at_ms >= ? AND resolved_at_ms < ?
            ORDER BY severity COLLATE "C", category COLLATE "C", resolved_at_ms, known_at_ms, reopened_at_ms NULLS FIRST,
                     acknowledged_at_ms NULLS FIRST, number
            """, [since, asOf], logger: logger)
        {
            var r = RowReader(row, table: "incidents", columns: ["severity", "category"])
            let severity = try r.text(), category = try r.text()
            let milliseconds = try SQLiteIncidentStore.number(row, 2, "time to resolve")
            if let last = resolved, last.severity == severity, last.category == category {
                resolved?.count += 1
            } else {
                if let last = resolved { facts.resolved.append(ClassCount(severity: last.severity, category: last.category, count: last.count)) }
                resolved = (severity, category, 1)
            }
            facts.resolveTimes[severity, default: []].append(milliseconds)
            if row.int64(3) == 1 { unacknowledged[severity, default: []].append(milliseconds) }
        }
        if let last = resolved { facts.resolved.append(ClassCount(severity: last.severity, category: last.category, count: last.count)) }

        // Acknowledged: the period's range of `incidents_by_acknowledged` (migration 2); each
        // severity's times follow its resolutions without an acknowledgement, as on SQLite.
        var acknowledged: [String: [Int64]] = [:]
        for row in try await connection.rows(
            """
            SELECT severity, acknowledged_at_ms - coalesce(reopened_at_ms, known_at_ms)
            FROM incidents WHERE acknowledged_at_ms >= ? AND acknowledged_at_ms < ?
            ORDER BY severity COLLATE "C", acknowledged_at_ms, known_at_ms, reopened_at_ms NULLS FIRST, number
            """, [since, asOf], logger: logger)
        {
            var r = RowReader(row, table: "incidents", columns: ["severity"])
            acknowledged[try r.text(), default: []].append(try SQLiteIncidentStore.number(row, 1, "time to acknowledge"))
        }
        facts.acknowledgeTimes = unacknowledged.merging(acknowledged, uniquingKeysWith: +)

        try await deadlines(since: since, asOf: asOf, into: &facts, on: connection, logger: logger)
        facts.breaches = try await breaches(query, since: since, asOf: asOf, on: connection, logger: logger)

        // Escalations: the period's range of `events_by_kind`.
        if let row = try await connection.rows(
            "SELECT count(*), count(DISTINCT incident) FROM events WHERE kind = 'escalated' AND at_ms >= ? AND at_ms < ?", [since, asOf],
            logger: logger
        ).first {
            var r = RowReader(row, table: "events", columns: ["escalations", "incidents"])
            facts.escalations = try r.int()
            facts.escalatedIncidents = try r.int()
        }

        try await backlog(query, asOf: asOf, into: &facts, on: connection, logger: logger)
        (facts.openedPerBucket, facts.resolvedPerBucket) = try await trend(query, on: connection, logger: logger)
        return facts
    }

    /// Deadlines decided in the period: met by when they stopped (`clocks_met_by_stopped`,
    /// migration 2), breached by their deadline (`clocks_due`), read once and counted twice:
    /// by class and kind (clocks of incidents written before clocks knew their class have none,
    /// and are not counted, as on SQLite), and the legal ones by rule.
    private static func deadlines(
        since: SQLiteValue, asOf: SQLiteValue, into facts: inout ReportFacts, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let rows = try await connection.rows(
            """
            WITH decided AS (
                SELECT severity, category, kind, rule, true AS met FROM clocks
                WHERE state = 'met' AND stopped_at_ms >= ? AND stopped_at_ms < ? AND kind <> 'escalation'
                UNION ALL
                SELECT severity, category, kind, rule, false FROM clocks
                WHERE state IN ('missed', 'running') AND due_at_ms >= ? AND due_at_ms < ? AND kind <> 'escalation'
            )
            SELECT * FROM (
                SELECT 0 AS tally, severity COLLATE "C" AS a, category COLLATE "C" AS b, kind COLLATE "C" AS c,
                       count(*) FILTER (WHERE met) AS met, count(*) FILTER (WHERE NOT met) AS breached
                FROM decided WHERE severity IS NOT NULL AND category IS NOT NULL GROUP BY severity, category, kind
                UNION ALL
                SELECT 1, rule COLLATE "C", '', '', count(*) FILTER (WHERE met), count(*) FILTER (WHERE NOT met)
                FROM decided WHERE kind = 'legal' AND rule IS NOT NULL GROUP BY rule
            ) AS tallies
            ORDER BY tally, a, b, c
            """, [since, asOf, since, asOf], logger: logger)
        for row in rows {
            var r = RowReader(row, table: "clocks", columns: ["tally", "severity", "category", "kind", "met", "breached"])
            let tally = try r.int(), a = try r.text(), b = try r.text(), c = try r.text(), met = try r.count(), breached = try r.count()
            if tally == 0 {
                // A kind this build does not know is not a deadline it can name.
                guard let kind = ClockKind(rawValue: c) else { continue }
                facts.clocks.append(ClockTally(kind: kind, severity: a, category: b, met: met, breached: breached))
            } else {
                facts.legal.append(ComplianceRow(label: a, met: met, breached: breached))
            }
        }
    }

    /// The first breaches by deadline: the first few stopped late and the first few still
    /// running, each in deadline order from `clocks_due`, merged, with their incidents.
    private static func breaches(
        _ query: ReportQuery, since: SQLiteValue, asOf: SQLiteValue, on connection: PostgresConnection, logger: Logger
    ) async throws -> [BreachRecord] {
        guard query.breachLimit > 0 else { return [] }
        let limit = SQLiteValue(query.breachLimit)
        let columns = StoreRows.clockColumns.joined(separator: ", ")
        func first(_ state: ClockState) -> String {
            """
            (SELECT \(columns) FROM clocks WHERE state = '\(state.rawValue)' AND due_at_ms >= ? AND due_at_ms < ? AND kind <> 'escalation'
             ORDER BY due_at_ms, incident, name COLLATE "C" LIMIT ?)
            """
        }
        let headlines = SQLiteIncidentStore.headlineColumns
        let rows = try await connection.rows(
            """
            SELECT \(StoreRows.clockColumns.map { "c.\($0)" }.joined(separator: ", ")), \(headlines)
            FROM (\(first(.missed)) UNION ALL \(first(.running))) AS c
            LEFT JOIN incidents AS i ON i.number = c.incident
            ORDER BY c.due_at_ms, c.incident, c.name COLLATE "C" LIMIT ?
            """, [since, asOf, limit, since, asOf, limit, limit], logger: logger)
        return try rows.map { row in
            let clock = try StoreRows.clock(row)
            guard !row.isNull(StoreRows.clockColumns.count) else {
                throw StoreError(.failure, "report: clock \(clock.name) belongs to no incident \(clock.incident)")
            }
            var r = RowReader(
                row, table: "incidents", columns: headlines.components(separatedBy: ", "), startingAt: StoreRows.clockColumns.count)
            return BreachRecord(
                incident: try SQLiteIncidentStore.headline(&r), clock: clock.name, kind: clock.kind, rule: clock.rule, dueAt: clock.dueAt,
                stoppedAt: clock.stoppedAt, alertsSent: clock.alertsSent)
        }
    }

    /// Incidents open at `asOf` by age, and the oldest of them: unresolved now
    /// (`incidents_unresolved`) or resolved only later (`incidents_by_resolved`), so neither
    /// range reads the resolved history.
    private static func backlog(
        _ query: ReportQuery, asOf: SQLiteValue, into facts: inout ReportFacts, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let unresolved = "resolved_at_ms IS NULL AND opened_at_ms < ?"
        let resolvedLater = "resolved_at_ms >= ? AND opened_at_ms < ?"
        var counts = Array(repeating: 0, count: query.backlogAges.count + 1)
        for row in try await connection.rows(
            """
            SELECT \(SQLiteIncidentStore.backlogBucket(query)) AS bucket, count(*) FROM (
                SELECT opened_at_ms FROM incidents WHERE \(unresolved)
                UNION ALL
                SELECT opened_at_ms FROM incidents WHERE \(resolvedLater)
            ) AS open_at GROUP BY bucket
            """, [asOf, asOf, asOf], logger: logger)
        {
            var r = RowReader(row, table: "incidents", columns: ["bucket", "count"])
            let bucket = try r.int(), count = try r.int()
            if counts.indices.contains(bucket) { counts[bucket] = count }
        }
        facts.backlog = counts
        guard query.oldestOpenLimit > 0 else { return }
        // The oldest few of each range, merged: sorting every open incident would read them all.
        // The unresolved ones in index order; those resolved later read from their own range
        // first (`MATERIALIZED`): by age alone, the planner would walk every incident opened
        // before `asOf` looking for the (usually no) incidents resolved after it.
        let headlines = SQLiteIncidentStore.headlineColumns
        let limit = SQLiteValue(query.oldestOpenLimit)
        facts.oldestOpen = try await connection.rows(
            """
            WITH resolved_later AS MATERIALIZED (SELECT \(headlines) FROM incidents AS i WHERE \(resolvedLater))
            SELECT * FROM (
                (SELECT \(headlines) FROM incidents AS i WHERE \(unresolved) ORDER BY i.opened_at_ms, i.number LIMIT ?)
                UNION ALL
                (SELECT * FROM resolved_later ORDER BY opened_at_ms, number LIMIT ?)
            ) AS oldest ORDER BY opened_at_ms, number LIMIT ?
            """, [asOf, asOf, asOf, limit, limit, limit], logger: logger
        ) { row in
            var r = RowReader(row, table: "incidents", columns: headlines.components(separatedBy: ", "))
            return try SQLiteIncidentStore.headline(&r)
        }
    }

    /// Incidents opened and resolved in each trend bucket: each column's range over the whole
    /// trend, grouped by bucket (`width_bucket` finds a row's bucket by bisection). Bucket `k`
    /// is `trendStarts[k]..<trendStarts[k + 1]`, the last ending at `asOf`, as on SQLite.
    private static func trend(_ query: ReportQuery, on connection: PostgresConnection, logger: Logger) async throws -> ([Int], [Int]) {
        let starts = query.trendStarts.map(StoreTime.milliseconds)
        guard let first = starts.first, let last = starts.last else { return ([], []) }
        let asOf = StoreTime.milliseconds(query.asOf)
        var opened = Array(repeating: 0, count: starts.count), resolved = opened
        guard zip(starts, starts.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            // Starts out of order (no report asks for that): each bucket counted on its own.
            let ends = Array(starts.dropFirst()) + [asOf]
            for (index, (start, end)) in zip(starts, ends).enumerated() {
                let row = try await connection.rows(
                    """
                    SELECT (SELECT count(*) FROM incidents WHERE opened_at_ms >= ? AND opened_at_ms < ?),
                           (SELECT count(*) FROM incidents WHERE resolved_at_ms >= ? AND resolved_at_ms < ?)
                    """, [.integer(start), .integer(end), .integer(start), .integer(end)], logger: logger
                ).first
                opened[index] = row?.int(0) ?? 0
                resolved[index] = row?.int(1) ?? 0
            }
            return (opened, resolved)
        }
        // Non-decreasing starts: the buckets tile `first..<end`, and `width_bucket` (the number of
        // starts at or below a value) is a row's bucket plus one. The last bucket is empty when
        // `asOf` comes before its start, and the one before it then still ends at that start.
        let end = max(last, asOf)
        let thresholds = "ARRAY[\(starts.map(String.init).joined(separator: ", "))]::bigint[]"
        for row in try await connection.rows(
            """
            SELECT 0, width_bucket(opened_at_ms, \(thresholds)) AS bucket, count(*) FROM incidents
            WHERE opened_at_ms >= ? AND opened_at_ms < ? GROUP BY bucket
            UNION ALL
            SELECT 1, width_bucket(resolved_at_ms, \(thresholds)) AS bucket, count(*) FROM incidents
            WHERE resolved_at_ms >= ? AND resolved_at_ms < ? GROUP BY bucket
            """, [.integer(first), .integer(end), .integer(first), .integer(end)], logger: logger)
        {
            var r = RowReader(row, table: "incidents", columns: ["column", "bucket", "count"])
            let column = try r.int(), bucket = try r.int() - 1, count = try r.int()
            guard opened.indices.contains(bucket) else { continue }
            if column == 0 { opened[bucket] = count } else { resolved[bucket] = count }
        }
        return (opened, resolved)
    }
}
