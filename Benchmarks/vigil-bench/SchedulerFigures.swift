import Foundation

/// One round's breach-alert lateness, in milliseconds.
struct RoundLateness: Sendable {
    var fired: Int
    var p50: Double?
    var p99: Double?
    var max: Double?
}

/// What `vigil-bench scheduler` measured.
struct SchedulerFigures: Sendable {
    /// ``SchedulerDatabase/kind``: which database was measured.
    var database: String
    var incidents: Int
    var sample: Int
    var roundsPlanned: Int
    var seedSeconds = 0.0
    var databaseBytes: Int64 = 0
    var openMs = 0.0
    var rearmMs = 0.0
    var dueBeforeSchedulerStart = 0
    var rounds: [RoundLateness] = []
    var nextFireMs = 0.0
    var idleClaimMs = 0.0
    var indexMinMs = 0.0
    var rssStartKiB: Int?
    var rssAfterSeedKiB: Int?
    var rssAfterRunKiB: Int?
    var rssPeakKiB: Int?

    static let latenessTargetMs = 250.0

    /// The median round's value with the spread across rounds: `4 ms (3–6)`.
    func acrossRounds(_ value: (RoundLateness) -> Double?) -> String {
        let values = rounds.compactMap(value).sorted()
        guard let low = values.first, let high = values.last else { return "n/a" }
        return String(format: "%.0f ms (%.0f–%.0f)", values[values.count / 2], low, high)
    }

    var allFired: Bool { rounds.count == roundsPlanned && rounds.allSatisfy { $0.fired == sample } }
    var p99Met: Bool {
        let p99s = rounds.compactMap(\.p99).sorted()
        return allFired && !p99s.isEmpty && p99s[p99s.count / 2] <= Self.latenessTargetMs
    }

    /// What was measured and how, above the table; `where` says which database, and how it was run.
    static func method(where database: String, command: String) -> String {
        """
        100,000 open incidents with 3 running clocks each (ack, resolve, and a legal or playbook-step
        clock) in \(database), seeded through the store's `commit` (one transaction per incident, 8 in
        flight). 2,000 of them have ack clocks due over ~5 s after seeding; every other clock is due
        7–37 days out. The store is closed and reopened (time to re-arm), then a `ClockScheduler` (real
        `ContinuousClock` and `Date()`) runs until all 2,000 have fired. Two more rounds each add 2,000
        new incidents due over ~5 s and fire them the same way. Lateness = the `clock_breached` event's
        time minus its `due_at`; figures are the median round with the spread (min–max) of the 3 rounds.
        Outbox delivery does not run. Fixed seed.
        Target: alert lateness p99 ≤ 250 ms with 100,000 open incidents.

        Command: `"$(swift build -c release --show-bin-path)/vigil-bench" \(command)`
        """
    }

    static let sqliteMethod = method(
        where: "a fresh SQLite database (WAL, `synchronous=NORMAL`), opened as `vigil serve` opens it", command: "scheduler")

    static func postgresMethod(serverVersion: String) -> String {
        method(
            where: """
                a fresh database on a local PostgreSQL \(serverVersion) server at its default settings (so every
                commit waits for its WAL flush), opened as `vigil serve` opens it: migrations under the advisory
                lock, then a pooled client of at most 10 connections
                """,
            command: "scheduler --postgres postgres://USER@HOST:PORT")
    }

    var markdown: String {
        func ms1(_ value: Double) -> String { String(format: "%.1f ms", value) }
        func mib(_ kib: Int?) -> String { kib.map { String(format: "%.0f MiB", Double($0) / 1024) } ?? "n/a" }
        let verdict = p99Met ? "met" : allFired ? "**missed**" : "**missed** (not all fired)"
        let rows: [(String, String, String)] = [
            ("Open incidents × running clocks", "\(grouped(incidents)) × 3 = \(grouped(incidents * 3))", "plus \(grouped(sample)) per later round"),
            ("Seeding (one `commit` per incident, 8 in flight)",
             String(format: "%.1f s (%.0f incidents/s)", seedSeconds, Double(incidents) / seedSeconds), ""),
            (database == "SQLite" ? "Database size (file + WAL)" : "Database size (`pg_database_size`)",
             String(format: "%.0f MiB", Double(databaseBytes) / 1_048_576), ""),
            ("Time to re-arm at start (open + migrations check + first `nextClockFireAt()`)", ms1(rearmMs),
             "of which open \(ms1(openMs))"),
            ("Sample clocks fired / due, per round", rounds.map { grouped($0.fired) }.joined(separator: ", ") + " / \(grouped(sample))",
             dueBeforeSchedulerStart > 0 ? "\(dueBeforeSchedulerStart) were due before the scheduler started" : ""),
            ("Alert lateness p50", acrossRounds(\.p50), "median round (min–max)"),
            ("Alert lateness p99", acrossRounds(\.p99), "target ≤ \(Int(Self.latenessTargetMs)) ms: \(verdict)"),
            ("Alert lateness max", acrossRounds(\.max), ""),
            ("One `nextClockFireAt()` (median of 21)", ms1(nextFireMs), "run before every sleep"),
            ("One idle `claimDueClocks(limit: 200)` (median of 21)", ms1(idleClaimMs), ""),
            ("For comparison: `SELECT min(next_fire_at_ms) … WHERE state = 'running'` (median of 21)", ms1(indexMinMs),
             "one index seek"),
            ("Resident memory at start", mib(rssStartKiB), "VmRSS"),
            ("Resident memory after seeding", mib(rssAfterSeedKiB), "VmRSS"),
            ("Resident memory after the scheduler runs", mib(rssAfterRunKiB), "VmRSS"),
            ("Peak resident memory", mib(rssPeakKiB), "VmHWM"),
        ]
        var text = "| measure | value | note |\n|---|---|---|\n"
        for (name, value, note) in rows { text += "| \(name) | \(value) | \(note) |\n" }
        return text
    }

    /// Headline rows for the summary table.
    var summary: String {
        """
        | Scheduler, \(database) | Alert lateness p99, \(grouped(incidents)) open incidents × 3 clocks | \(acrossRounds(\.p99)) | ≤ 250 ms: \(p99Met ? "met" : "**missed**") |
        | Scheduler, \(database) | Alert lateness p50 / max | \(acrossRounds(\.p50)) / \(acrossRounds(\.max)) | |
        | Scheduler, \(database) | Time to re-arm at start | \(String(format: "%.1f ms", rearmMs)) | |

        """
    }
}
