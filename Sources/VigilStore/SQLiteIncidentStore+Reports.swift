import Foundation
import VigilCore

/// Reports: aggregate queries over the period's indexes (migration 4), one snapshot per report.
/// Nothing here loads events or whole incidents, except the CSV export's page of incidents.
extension SQLiteIncidentStore {
    public func reportFacts(_ query: ReportQuery) async throws -> ReportFacts {
        try await reading("report", lane: .report) { try Self.reportFacts(query, in: $0) }
    }

    public func reportedIncidents(since: Date, asOf: Date, after number: Int, limit: Int) async throws -> [ReportedIncident] {
        guard limit > 0 else { return [] }
        return try await reading("reported incidents", lane: .report) { database in
            try database.readTransaction {
                let incidents = try database.query(
                    """
                    \(StoreRows.selectIncidents)
                    WHERE number > ? AND opened_at_ms < ? AND (resolved_at_ms IS NULL OR resolved_at_ms >= ?)
                    ORDER BY number LIMIT ?
                    """,
                    [SQLiteValue(number), .integer(StoreTime.milliseconds(asOf)), .integer(StoreTime.milliseconds(since)), SQLiteValue(limit)]
                ) { try StoreRows.incident($0) }
                guard !incidents.isEmpty else { return [] }
                // By number, not by range: a page of a short period can span most of the table
                // (old incidents still open), whose other clocks it must not read.
                var clocks: [Int: [ClockRow]] = [:]
                try database.forEach(
                    """
                    \(StoreRows.selectClocks) WHERE incident IN (\(incidents.map { _ in "?" }.joined(separator: ", "))) AND kind != 'escalation'
                    ORDER BY incident, due_at_ms, name
                    """,
                    incidents.map { SQLiteValue($0.number) }
                ) { row in
                    let clock = try StoreRows.clock(row)
                    clocks[clock.incident, default: []].append(clock)
                }
                return incidents.map { incident in
                    ReportedIncident(
                        headline: Self.headline(incident), level: incident.level, reporter: incident.reporter, knownAt: incident.knownAt,
                        reopenedAt: incident.reopenedAt, acknowledgedAt: incident.acknowledgedAt, resolvedAt: incident.resolvedAt,
                        playbook: incident.playbook, refs: incident.refs, clocks: clocks[incident.number] ?? [])
                }
            }
        }
    }

    static func headline(_ incident: Incident) -> IncidentHeadline {
        IncidentHeadline(
            number: incident.number, title: incident.title, restricted: incident.restricted, severity: incident.severity,
            category: incident.category, state: incident.state, owner: incident.owner, openedAt: incident.openedAt)
    }

    // MARK: - The queries

    /// The columns of an ``IncidentHeadline``, prefixed `i.`, and their reader (the PostgreSQL
    /// store's reports read them too).
    static let headlineColumns = "i.number, i.title, i.restricted, i.severity, i.category, i.state, i.owner_id, i.owner_name, i.opened_at_ms"

    static func headline<Row: StoreRow>(_ reader: inout RowReader<Row>) throws -> IncidentHeadline {
        IncidentHeadline(
            number: try reader.int(), title: try reader.text(), restricted: try reader.bool(), severity: try reader.text(),
            category: try reader.text(), state: try reader.enumeration(IncidentState.self), owner: try reader.optionalUser(),
            openedAt: try reader.date())
    }

    static func reportFacts(_ query: ReportQuery, in database: SQLiteDatabase) throws -> ReportFacts {
        let since = SQLiteValue.integer(StoreTime.milliseconds(query.since))
        let asOf = SQLiteValue.integer(StoreTime.milliseconds(query.asOf))
        var facts = ReportFacts()

        // Incidents, one index range per severity and category (see migration 4).
        let severities = try distinct("severity", in: "incidents", after: [], in: database)
        for severity in severities {
            let sev = SQLiteValue.text(severity)
            for category in try distinct("category", in: "incidents", after: [("severity", sev)], in: database) {
                let cat = SQLiteValue.text(category)
                let opened = try count(
                    "incidents WHERE severity = ?1 AND category = ?2 AND opened_at_ms >= ?3 AND opened_at_ms < ?4", [sev, cat, since, asOf],
                    in: database)
                if opened > 0 { facts.opened.append(ClassCount(severity: severity, category: category, count: opened)) }
                // One pass over the resolutions: the count, time to resolve, and time to
                // acknowledge for those resolved without an acknowledgement.
                // Collected in local arrays: a dictionary update per row costs more than the row.
                var resolveTimes: [Int64] = [], unacknowledged: [Int64] = []
                try database.forEach(
                    """
                    SELECT resolved_at_ms - coalesce(reopened_at_ms, known_at_ms), acknowledged_at_ms IS NULL FROM incidents
                    WHERE severity = ?1 AND category = ?2 AND resolved_at_ms >= ?3 AND resolved_at_ms < ?4
                    """,
                    [sev, cat, since, asOf]
                ) { row in
                    let milliseconds = try number(row, 0, "time to resolve")
                    resolveTimes.append(milliseconds)
                    if row.int64(1) == 1 { unacknowledged.append(milliseconds) }
                }
                if !resolveTimes.isEmpty {
                    facts.resolved.append(ClassCount(severity: severity, category: category, count: resolveTimes.count))
                    facts.resolveTimes[severity, default: []] += resolveTimes
                }
                if !unacknowledged.isEmpty { facts.acknowledgeTimes[severity, default: []] += unacknowledged }
            }
            var acknowledgeTimes: [Int64] = []
            try database.forEach(
                """
                SELECT acknowledged_at_ms - coalesce(reopened_at_ms, known_at_ms) FROM incidents
                WHERE severity = ?1 AND acknowledged_at_ms >= ?2 AND acknowledged_at_ms < ?3
                """,
                [sev, since, asOf]
            ) { row in acknowledgeTimes.append(try number(row, 0, "time to acknowledge")) }
            if !acknowledgeTimes.isEmpty { facts.acknowledgeTimes[severity, default: []] += acknowledgeTimes }
        }

        // Deadlines, counted per severity, category and kind: met by when they stopped,
        // breached by their deadline (stopped late, or still running past it).
        for severity in try distinct("severity", in: "clocks", after: [], in: database) {
            let sev = SQLiteValue.text(severity)
            for category in try distinct("category", in: "clocks", after: [("severity", sev)], in: database) {
                let cat = SQLiteValue.text(category)
                for kindName in try distinct("kind", in: "clocks", after: [("severity", sev), ("category", cat)], in: database) {
                    guard let kind = ClockKind(rawValue: kindName), kind != .escalation else { continue }
                    let key = [sev, cat, SQLiteValue.text(kindName), since, asOf]
                    let met = try count(
                        "clocks WHERE severity = ?1 AND category = ?2 AND kind = ?3 AND state = 'met' AND stopped_at_ms >= ?4 AND stopped_at_ms < ?5",
                        key, in: database)
                    let breached = try count(
                        """
                        clocks WHERE severity = ?1 AND category = ?2 AND kind = ?3 AND state IN ('missed', 'running')
                        AND due_at_ms >= ?4 AND due_at_ms < ?5
                        """, key, in: database)
                    if met + breached > 0 {
                        facts.clocks.append(ClockTally(kind: kind, severity: severity, category: category, met: met, breached: breached))
                    }
                }
            }
        }
        for rule in try distinct("rule", in: "clocks", after: [], literally: "kind = 'legal'", in: database) {
            let key = [SQLiteValue.text(rule), since, asOf]
            let met = try count(
                "clocks WHERE kind = 'legal' AND rule = ?1 AND state = 'met' AND stopped_at_ms >= ?2 AND stopped_at_ms < ?3", key, in: database)
            let breached = try count(
                "clocks WHERE kind = 'legal' AND rule = ?1 AND state IN ('missed', 'running') AND due_at_ms >= ?2 AND due_at_ms < ?3", key,
                in: database)
            if met + breached > 0 { facts.legal.append(ComplianceRow(label: rule, met: met, breached: breached)) }
        }
        facts.breaches = try breaches(query, since: since, asOf: asOf, in: database)

        if let (count, incidents) = try database.queryFirst(
            "SELECT count(*), count(DISTINCT incident) FROM events WHERE kind = 'escalated' AND at_ms >= ? AND at_ms < ?", [since, asOf],
            row: { row -> (Int, Int) in
                var r = RowReader(row, table: "events", columns: ["escalations", "incidents"])
                return (try r.int(), try r.int())
            })
        {
            facts.escalations = count
            facts.escalatedIncidents = incidents
        }

        try backlog(query, asOf: asOf, into: &facts, in: database)

        // The trend: one index range count per bucket and column.
        let ends = Array(query.trendStarts.dropFirst()) + [query.asOf]
        func perBucket(_ column: String) throws -> [Int] {
            try zip(query.trendStarts, ends).map { start, end in
                try count(
                    "incidents WHERE \(column) >= ? AND \(column) < ?",
                    [.integer(StoreTime.milliseconds(start)), .integer(StoreTime.milliseconds(end))], in: database)
            }
        }
        facts.openedPerBucket = try perBucket("opened_at_ms")
        facts.resolvedPerBucket = try perBucket("resolved_at_ms")
        return facts
    }

    /// The distinct non-NULL values of `column` in `table` among rows whose `prefix` columns have
    /// the given values (and that meet the `literally` condition), ascending, found by one index
    /// seek each rather than a scan.
    private static func distinct(
        _ column: String, in table: String, after prefix: [(String, SQLiteValue)], literally: String? = nil, in database: SQLiteDatabase
    ) throws -> [String] {
        // A literal condition (not a bound value) is what lets SQLite use a partial index.
        let conditions = prefix.enumerated().map { "\($0.element.0) = ?\($0.offset + 2)" } + (literally.map { [$0] } ?? [])
        func seek(_ comparison: String) -> String {
            "SELECT \(column) FROM \(table) WHERE \((conditions + ["\(column) \(comparison) ?1"]).joined(separator: " AND ")) ORDER BY \(column) LIMIT 1"
        }
        // '' sorts before any other text (and NULL matches neither comparison): `>= ''` finds
        // the first value, `> last` each next one.
        var values: [String] = []
        var sql = seek(">=")
        var last = ""
        while let next = try database.queryFirst(sql, [.text(last)] + prefix.map(\.1), row: { $0.text(0) }), let value = next {
            values.append(value)
            last = value
            sql = seek(">")
        }
        return values
    }

    /// `SELECT count(*) FROM <from>`.
    private static func count(_ from: String, _ bindings: [SQLiteValue], in database: SQLiteDatabase) throws -> Int {
        try database.queryFirst("SELECT count(*) FROM \(from)", bindings) { $0.int(0) ?? 0 } ?? 0
    }

    /// Column `index` as an integer, or a decoding failure naming `what`.
    static func number<Row: StoreRow>(_ row: Row, _ index: Int, _ what: String) throws -> Int64 {
        guard let value = row.int64(index) else {
            throw StoreError(.failure, "report: a \(what) could not be read (a time column is NULL or not an integer)")
        }
        return value
    }

    /// The first breaches by deadline: the first few stopped late and the first few still
    /// running, each read in deadline order from the `(state, due_at_ms)` index, then merged.
    private static func breaches(_ query: ReportQuery, since: SQLiteValue, asOf: SQLiteValue, in database: SQLiteDatabase) throws -> [BreachRecord] {
        guard query.breachLimit > 0 else { return [] }
        var clocks: [ClockRow] = []
        for state in [ClockState.missed, .running] {
            clocks += try database.query(
                """
                \(StoreRows.selectClocks) WHERE state = ? AND due_at_ms >= ? AND due_at_ms < ? AND kind != 'escalation'
                ORDER BY due_at_ms, incident, name LIMIT ?
                """,
                [.text(state.rawValue), since, asOf, SQLiteValue(query.breachLimit)]
            ) { try StoreRows.clock($0) }
        }
        clocks.sort { ($0.dueAt, $0.incident, $0.name) < ($1.dueAt, $1.incident, $1.name) }
        return try clocks.prefix(query.breachLimit).map { clock in
            guard let incident = try database.queryFirst(
                "SELECT \(headlineColumns) FROM incidents i WHERE number = ?", [SQLiteValue(clock.incident)],
                row: { row -> IncidentHeadline in
                    var r = RowReader(row, table: "incidents", columns: headlineColumns.components(separatedBy: ", "))
                    return try headline(&r)
                })
            else { throw StoreError(.failure, "report: clock \(clock.name) belongs to no incident \(clock.incident)") }
            return BreachRecord(
                incident: incident, clock: clock.name, kind: clock.kind, rule: clock.rule, dueAt: clock.dueAt, stoppedAt: clock.stoppedAt,
                alertsSent: clock.alertsSent)
        }
    }

    /// Incidents open at `asOf` by age, and the oldest of them. Open then means opened before
    /// and not resolved by then: unresolved now (the unresolved index), or resolved only later
    /// (the resolution index), so neither scan reads the resolved history.
    private static func backlog(_ query: ReportQuery, asOf: SQLiteValue, into facts: inout ReportFacts, in database: SQLiteDatabase) throws {
        let unresolved = "resolved_at_ms IS NULL AND opened_at_ms < ?1"
        let resolvedLater = "resolved_at_ms >= ?1 AND opened_at_ms < ?1"
        let openAt = """
            SELECT opened_at_ms FROM incidents INDEXED BY incidents_unresolved WHERE \(unresolved)
            UNION ALL
            SELECT opened_at_ms FROM incidents INDEXED BY incidents_by_resolved WHERE \(resolvedLater)
            """
        var counts = Array(repeating: 0, count: query.backlogAges.count + 1)
        try database.forEach("SELECT \(backlogBucket(query)) AS bucket, count(*) FROM (\(openAt)) GROUP BY bucket", [asOf]) { row in
            var r = RowReader(row, table: "incidents", columns: ["bucket", "count"])
            let bucket = try r.int(), count = try r.int()
            if counts.indices.contains(bucket) { counts[bucket] = count }
        }
        facts.backlog = counts
        guard query.oldestOpenLimit > 0 else { return }
        // The oldest few of each set, in index order, merged here: sorting the union would read
        // every open incident.
        var oldest: [IncidentHeadline] = []
        // Named indexes: by age alone the planner may walk every incident opened before `asOf`
        // looking for the (usually no) incidents resolved after it.
        for (index, condition) in [("incidents_unresolved", unresolved), ("incidents_by_resolved", resolvedLater)] {
            oldest += try database.query(
                "SELECT \(headlineColumns) FROM incidents i INDEXED BY \(index) WHERE \(condition) ORDER BY i.opened_at_ms, i.number LIMIT ?2",
                [asOf, SQLiteValue(query.oldestOpenLimit)]
            ) { row in
                var r = RowReader(row, table: "incidents", columns: headlineColumns.components(separatedBy: ", "))
                return try headline(&r)
            }
        }
        facts.oldestOpen = Array(oldest.sorted { ($0.openedAt, $0.number) < ($1.openedAt, $1.number) }.prefix(query.oldestOpenLimit))
    }

    /// The backlog bucket of an incident opened at `opened_at_ms`, as an SQL expression both
    /// stores use: bucket k holds ages below bound k (and at or above bound k-1); the last, the
    /// rest. The bounds are the query's own numbers, written in.
    static func backlogBucket(_ query: ReportQuery) -> String {
        let asOfMs = StoreTime.milliseconds(query.asOf)
        let cases = query.backlogAges.enumerated().map { index, bound in
            "WHEN opened_at_ms > \(asOfMs - bound.milliseconds) THEN \(index)"
        }
        // With no bounds, every incident is in the one bucket (`CASE` needs a `WHEN`).
        guard !cases.isEmpty else { return "0" }
        return "CASE \(cases.joined(separator: " ")) ELSE \(query.backlogAges.count) END"
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
