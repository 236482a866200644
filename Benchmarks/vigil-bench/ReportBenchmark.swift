import Foundation
import VigilCore
import VigilServer
import VigilStore

/// Reports at scale: 1,000,000 incidents (with 3,000,000 clock rows and 1,050,000 events) spread
/// over the last 365 days, then `/incident report`'s work — the store's aggregate queries and
/// the KPI computation — for the whole year, the last 30 days and the last 7 days, and the CSV
/// export's streaming rate.
///
/// The database is bulk-loaded with SQL (deterministic: every value is a function of the
/// incident number), not through `commit`: this measures reads, and the write path has its own
/// benchmarks. The timings run on a store reopened after loading, each after one warm-up.
struct ReportBenchmark {
    var incidents: Int
    var repetitions: Int
    static let targetMs = 1000.0

    func run() async throws -> ReportFigures {
        var figures = ReportFigures(incidents: incidents, repetitions: repetitions)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-bench-report-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // VIGIL_BENCH_KEEP=1 keeps the database for profiling its queries by hand.
        let keep = ProcessInfo.processInfo.environment["VIGIL_BENCH_KEEP"] == "1"
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let path = directory.appendingPathComponent("vigil.sqlite").path
        if keep { progress("keeping \(path)") }
        let now = Date()

        progress("loading \(incidents) incidents (3 clocks each) over the last 365 days…")
        let clock = ContinuousClock()
        let loadStart = clock.now
        var store = try SQLiteIncidentStore.open(path: path)
        try await store.read { _ in }  // migrations done
        await store.close()
        try Self.load(path: path, incidents: incidents, now: now)
        figures.loadSeconds = (clock.now - loadStart).seconds
        figures.databaseBytes = sqliteBytes(path)
        figures.clockRows = try Self.count(path, "clocks")
        progress(String(format: "loaded in %.1f s; database %.0f MiB", figures.loadSeconds, Double(figures.databaseBytes) / 1_048_576))

        store = try SQLiteIncidentStore.open(path: path)
        let export = ReportExport(store: store, policy: Self.policy)
        for (label, spec) in [("the whole year (every incident)", ReportPeriodSpec.last(hours: 365 * 24)), ("the last 30 days", .last(hours: 30 * 24)), ("the last 7 days", .standard)] {
            let period = try spec.resolve(now: now, timeZone: Self.policy.timeZone)
            var report: KPIReport?
            let times = try await Self.timed(repetitions) { report = try await export.report(period, now: now) }
            guard let report else { throw BenchmarkError("no report") }
            figures.periods.append(.init(label: label, opened: report.opened, milliseconds: times))
            progress("report over \(label): \(report.opened) opened, median \(String(format: "%.0f", times.median)) ms")
        }
        let week = try ReportPeriodSpec.standard.resolve(now: now, timeZone: Self.policy.timeZone)
        var rows = 0
        var bytes = 0
        let csvStart = clock.now
        try await export.write(week, now: now, format: .csv, showsRestrictedTitles: false) { text in
            rows += text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            bytes += text.utf8.count
        }
        figures.csvRows = rows - 1
        figures.csvBytes = bytes
        figures.csvSeconds = (clock.now - csvStart).seconds
        figures.rssPeakKiB = Memory.kib("VmHWM")
        await store.close()
        return figures
    }

    static let policy: Policy = {
        var policy = Policy.defaults
        policy.timeZone = TimeZone(identifier: "America/Los_Angeles")!
        return policy
    }()

    /// Times `body` once to warm up, then `repetitions` times, in milliseconds.
    static func timed(_ repetitions: Int, _ body: () async throws -> Void) async throws -> Samples {
        let clock = ContinuousClock()
        try await body()
        var samples: [Double] = []
        for _ in 0..<repetitions {
            let start = clock.now
            try await body()
            samples.append((clock.now - start).milliseconds)
        }
        return Samples(samples)
    }

    static func count(_ path: String, _ table: String) throws -> Int {
        let database = try SQLiteDatabase(path: path)
        return try database.queryFirst("SELECT count(*) FROM \(table)") { $0.int(0) ?? 0 } ?? 0
    }

    /// Bulk-loads the incidents, their clocks and events in one transaction. `h` is a
    /// multiplicative hash of the incident number from which every choice is drawn: 10 % sev1,
    /// 30 % sev2, 60 % sev3; four categories (child-safety restricted, with a legal clock; the
    /// others with a playbook step clock); time to acknowledge 1–41 min; time to resolve 10 min to
    /// 2 days; 5 % never resolved; 5 % escalated once.
    static func load(path: String, incidents: Int, now: Date) throws {
        let database = try SQLiteDatabase(path: path)
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let spanMs: Int64 = 365 * 86_400_000
        let start = nowMs - spanMs
        try database.transaction {
            try database.execute(
                """
                CREATE TEMP TABLE plan AS
                WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < \(incidents))
                SELECT n, h, opened, known, severity, category,
                       CASE WHEN known + tta < \(nowMs) THEN known + tta END AS acked,
                       CASE WHEN (h / 7) % 20 != 0 AND known + ttr < \(nowMs) THEN known + ttr END AS resolved,
                       ack_target, resolve_target
                FROM (
                    SELECT n, h, opened, opened - (h / 13) % 600000 AS known,
                           CASE WHEN h % 10 = 0 THEN 'sev1' WHEN h % 10 < 4 THEN 'sev2' ELSE 'sev3' END AS severity,
                           CASE (h / 10) % 4 WHEN 0 THEN 'fraud' WHEN 1 THEN 'moderation' WHEN 2 THEN 'compliance' ELSE 'child-safety' END AS category,
                           60000 + (h / 40) % 2400000 AS tta,
                           600000 + (h / 100000) % 172800000 AS ttr,
                           CASE WHEN h % 10 = 0 THEN 300000 WHEN h % 10 < 4 THEN 1800000 ELSE 14400000 END AS ack_target,
                           CASE WHEN h % 10 = 0 THEN 14400000 WHEN h % 10 < 4 THEN 86400000 ELSE 259200000 END AS resolve_target
                    FROM (SELECT n, (n * 2654435761) % 4294967296 AS h, \(start) + (n - 1) * \(spanMs / Int64(incidents)) AS opened FROM seq)
                );

                INSERT INTO incidents (number, title, severity, category, state, level, owner_id, owner_name, reporter_id, reporter_name,
                    platform, channel, opened_at_ms, known_at_ms, acknowledged_at_ms, acknowledged_by_id, acknowledged_by_name,
                    resolved_at_ms, resolved_by_id, resolved_by_name, resolution, refs, playbook, restricted, last_sequence, last_hash)
                SELECT n, 'Benchmark incident ' || n, severity, category,
                       CASE WHEN resolved IS NOT NULL THEN 'resolved' WHEN acked IS NOT NULL THEN 'acknowledged' ELSE 'open' END,
                       1 + ((h / 3) % 20 = 0), CASE WHEN acked IS NOT NULL THEN 'U0BEN' END, CASE WHEN acked IS NOT NULL THEN 'ben' END,
                       'U0AVA', 'ava', 'slack', 'ts-incidents', opened, known,
                       acked, CASE WHEN acked IS NOT NULL THEN 'U0BEN' END, CASE WHEN acked IS NOT NULL THEN 'ben' END,
                       resolved, CASE WHEN resolved IS NOT NULL THEN 'U0BEN' END, CASE WHEN resolved IS NOT NULL THEN 'ben' END,
                       CASE WHEN resolved IS NOT NULL THEN 'handled' END, '[]', NULL, category = 'child-safety', 1, 'x'
                FROM plan;

                INSERT INTO events (incident, sequence, kind, actor_id, actor_name, at_ms, payload, previous_hash, hash)
                SELECT n, 1, 'opened', 'U0AVA', 'ava', opened, '{}', 'genesis', 'x' FROM plan;
                INSERT INTO events (incident, sequence, kind, actor_id, actor_name, at_ms, payload, previous_hash, hash)
                SELECT n, 2, 'escalated', 'U0AVA', 'ava', known + ack_target, '{}', 'x', 'y' FROM plan WHERE (h / 3) % 20 = 0;

                INSERT INTO clocks (incident, name, kind, started_at_ms, due_at_ms, state, rule, stopped_at_ms, next_fire_at_ms, warnings_sent, alerts_sent, severity, category)
                SELECT n, 'ack', 'ack', known, due,
                       CASE WHEN stop IS NULL THEN 'running' WHEN stop <= due THEN 'met' ELSE 'missed' END, NULL, stop,
                       CASE WHEN stop IS NULL THEN max(due, \(nowMs)) END, 0, coalesce(stop > due, 0), severity, category
                FROM (SELECT n, severity, category, known, known + ack_target AS due, coalesce(acked, resolved) AS stop FROM plan);

                INSERT INTO clocks (incident, name, kind, started_at_ms, due_at_ms, state, rule, stopped_at_ms, next_fire_at_ms, warnings_sent, alerts_sent, severity, category)
                SELECT n, 'resolve', 'resolve', known, due,
                       CASE WHEN resolved IS NULL THEN 'running' WHEN resolved <= due THEN 'met' ELSE 'missed' END, NULL, resolved,
                       CASE WHEN resolved IS NULL THEN max(due, \(nowMs)) END, 0, coalesce(resolved > due, 0), severity, category
                FROM (SELECT n, severity, category, known, known + resolve_target AS due, resolved FROM plan);

                INSERT INTO clocks (incident, name, kind, started_at_ms, due_at_ms, state, rule, stopped_at_ms, next_fire_at_ms, warnings_sent, alerts_sent, severity, category)
                SELECT n, CASE WHEN category = 'child-safety' THEN 'legal' ELSE 'step:triage' END,
                       CASE WHEN category = 'child-safety' THEN 'legal' ELSE 'step' END, known, due,
                       CASE WHEN stop IS NULL THEN 'running' WHEN stop <= due THEN 'met' ELSE 'missed' END,
                       CASE WHEN category = 'child-safety' THEN 'NCMEC CyberTipline report (18 U.S.C. §2258A(a))' END, stop,
                       CASE WHEN stop IS NULL THEN max(due, \(nowMs)) END, 0, 0, severity, category
                FROM (SELECT n, severity, category, known, known + 86400000 AS due, CASE WHEN acked IS NOT NULL THEN acked + 600000 END AS stop FROM plan);

                DROP TABLE plan;
                """)
        }
        try database.execute("ANALYZE")
    }
}

/// Samples in milliseconds, summarised as a median with the spread.
struct Samples: Sendable {
    var sorted: [Double]
    init(_ values: [Double]) { sorted = values.sorted() }
    var median: Double { sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 }
    /// `412 ms (398–431)`.
    var text: String {
        guard let low = sorted.first, let high = sorted.last else { return "n/a" }
        return String(format: "%.0f ms (%.0f–%.0f)", median, low, high)
    }
}

struct ReportFigures: Sendable {
    struct Period: Sendable {
        var label: String
        var opened: Int
        var milliseconds: Samples
    }

    var incidents: Int
    var repetitions: Int
    var loadSeconds = 0.0
    var databaseBytes: Int64 = 0
    var clockRows = 0
    var periods: [Period] = []
    var csvRows = 0
    var csvBytes = 0
    var csvSeconds = 0.0
    var rssPeakKiB: Int?

    /// What was measured and how, above the table.
    static let method = """
        1,000,000 incidents spread evenly over the last 365 days, with 3,000,000 clock rows (ack,
        resolve, and a legal or playbook-step deadline) and 1,050,000 events, bulk-loaded with SQL in
        one transaction; every value is a function of the incident number, so every run loads the
        same data. 10 % sev1, 30 % sev2, 60 % sev3; four categories; time to acknowledge 1–41 min; time
        to resolve 10 min–2 days; 5 % never resolved; 5 % escalated. The store is then reopened and
        `ReportExport.report` (the store's aggregate queries and the KPI computation: everything
        `/incident report` does but render) runs once to warm up and 5 times measured, for three
        periods. Then the last 7 days are exported as CSV. Target: a report under 1 s.

        Command: `"$(swift build -c release --show-bin-path)/vigil-bench" report`
        """

    var markdown: String {
        var rows: [(String, String, String)] = [
            ("Incidents × clock rows", "\(grouped(incidents)) × 3 = \(grouped(clockRows))", "bulk-loaded in \(String(format: "%.1f", loadSeconds)) s"),
            ("Database size", String(format: "%.0f MiB", Double(databaseBytes) / 1_048_576), ""),
        ]
        for period in periods {
            let verdict = period.milliseconds.median <= ReportBenchmark.targetMs ? "met" : "**missed**"
            rows.append(("Report over \(period.label): \(grouped(period.opened)) opened", period.milliseconds.text,
                         "median (min–max) of \(repetitions); target < 1 s: \(verdict)"))
        }
        rows.append(("CSV export, last 7 days", "\(grouped(csvRows)) rows in \(String(format: "%.2f s", csvSeconds)) (\(grouped(Int(Double(csvRows) / csvSeconds))) rows/s)",
                     String(format: "%.1f MiB", Double(csvBytes) / 1_048_576)))
        rows.append(("Peak resident memory", rssPeakKiB.map { String(format: "%.0f MiB", Double($0) / 1024) } ?? "n/a", "VmHWM, whole benchmark"))
        var text = "| measure | value | note |\n|---|---|---|\n"
        for (name, value, note) in rows { text += "| \(name) | \(value) | \(note) |\n" }
        return text
    }

    /// Headline rows for the summary table.
    var summary: String {
        periods.map { period in
            let verdict = period.milliseconds.median <= ReportBenchmark.targetMs ? "met" : "**missed**"
            return "| Report | \(period.label) (\(grouped(period.opened)) incidents opened) | \(period.milliseconds.text) | < 1 s: \(verdict) |"
        }.joined(separator: "\n") + "\n"
    }
}
