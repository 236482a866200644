import Foundation
import Logging
import VigilCore
import VigilServer
import VigilStore

/// The SLA scheduler under load: N open incidents with 3 running clocks each, of which a sample's
/// ack clocks come due over a few seconds while a real `ClockScheduler` runs.
///
/// Measures seeding through the store's real write path (`commit`, one transaction per
/// incident), time to re-arm at start (open + migrations check + first `nextClockFireAt()`),
/// alert lateness (a `clock_breached` event's time minus its `due_at`) and resident memory.
struct SchedulerBenchmark {
    var incidents: Int
    var sample: Int
    /// Rounds of `sample` alerts; the figures are the median round with the spread.
    var rounds = 3
    /// The sample's ack clocks come due spread over this many seconds.
    var spread: TimeInterval = 8
    /// Seeding commits in flight at once (each still its own transaction, on the store's serial queue).
    var inFlight = 8
    /// How long to wait for the sample's breaches after the last one is due.
    var patience: TimeInterval = 30
    /// Fixed seed: the same incidents, severities and due times on every run.
    var seed: UInt64 = 0x5647_494C

    static let severities = ["sev1", "sev2", "sev3"]
    static let categories = ["fraud", "moderation", "compliance", "child-safety"]
    static let reporter = UserRef(id: "U0BENCH", name: "bench")

    /// Severities with a warning and a repeat, so firing and re-arming do their full work.
    static let policy = Policy(
        severities: [
            Severity(name: "sev1", ack: .seconds(5 * 60), resolve: .seconds(4 * 3600), warn: [0.75], repeat: .seconds(15 * 60)),
            Severity(name: "sev2", ack: .seconds(30 * 60), resolve: .seconds(24 * 3600), warn: [0.75], repeat: .seconds(30 * 60)),
            Severity(name: "sev3", ack: .seconds(4 * 3600), resolve: .seconds(3 * 86_400), warn: [0.75], repeat: .seconds(3600)),
        ],
        categories: [
            Category(name: "fraud"), Category(name: "moderation"), Category(name: "compliance"),
            Category(name: "child-safety", restricted: true),
        ])

    func run() async throws -> SchedulerFigures {
        var figures = SchedulerFigures(incidents: incidents, sample: sample, roundsPlanned: rounds)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-bench-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.sqlite").path
        figures.rssStartKiB = Memory.kib("VmRSS")

        // 1. Seed. The sample's incident numbers are scattered among the rest; they are
        //    committed last so their ack clocks can be set to come due just after seeding ends.
        var random = SplitMix64(seed: seed)
        var sampleNumbers = Set<Int>()
        while sampleNumbers.count < min(sample, incidents) { sampleNumbers.insert(Int.random(in: 1...incidents, using: &random)) }
        let plans = (1...incidents).map { number in
            IncidentPlan(
                number: number, severity: Self.severities.randomElement(using: &random)!,
                category: Self.categories.randomElement(using: &random)!,
                farOffsets: (0..<3).map { _ in Double.random(in: 0..<(30 * 86_400), using: &random) })
        }
        let sampleOffsets = (0..<sampleNumbers.count).map { _ in Double.random(in: 0..<spread, using: &random) }.sorted()

        var store = try SQLiteIncidentStore.open(path: path)
        let openedAt = Date()
        progress("seeding \(incidents - sampleNumbers.count) incidents (3 clocks each, due in 7-37 days)…")
        let seedClock = ContinuousClock()
        let seedStart = seedClock.now
        try await commitAll(plans.filter { !sampleNumbers.contains($0.number) }, to: store) { plan in
            plan.work(openedAt: openedAt, sampleDue: nil)
        }
        let bulkSeconds = (seedClock.now - seedStart).seconds
        // The sample: due from `lead` seconds after now, leaving time to commit the sample itself
        // and to close and reopen the store before the first one is due.
        let perCommit = bulkSeconds / Double(max(1, incidents - sampleNumbers.count))
        let lead = 3 + 2 * perCommit * Double(sampleNumbers.count)
        let sampleBase = Date().addingTimeInterval(lead)
        let samplePlans = plans.filter { sampleNumbers.contains($0.number) }
        let dues = Dictionary(uniqueKeysWithValues: zip(samplePlans.map(\.number), sampleOffsets.map { sampleBase.addingTimeInterval($0) }))
        progress("seeding the \(samplePlans.count) sample incidents (ack due \(String(format: "%.1f", lead))–\(String(format: "%.1f", lead + spread)) s from now)…")
        try await commitAll(samplePlans, to: store) { plan in plan.work(openedAt: openedAt, sampleDue: dues[plan.number]) }
        figures.seedSeconds = (seedClock.now - seedStart).seconds
        figures.rssAfterSeedKiB = Memory.kib("VmRSS")
        figures.databaseBytes = Self.databaseBytes(path)
        progress(String(format: "seeded in %.1f s (%.0f incidents/s)", figures.seedSeconds, Double(incidents) / figures.seedSeconds))

        // 2. Re-arm at start: what a restarted scheduler does before it can sleep.
        await store.close()
        let rearmStart = seedClock.now
        store = try SQLiteIncidentStore.open(path: path)
        let opened = seedClock.now
        let first = try await store.nextClockFireAt()
        let rearmEnd = seedClock.now
        figures.openMs = (opened - rearmStart).milliseconds
        figures.rearmMs = (rearmEnd - rearmStart).milliseconds
        guard let first, abs(first.timeIntervalSince(sampleBase.addingTimeInterval(sampleOffsets.first ?? 0))) < 0.002 else {
            throw BenchmarkError("the first nextClockFireAt() is \(String(describing: first)), not the first sample clock's due time")
        }

        // 3. Alert lateness: a real scheduler fires the sample as it comes due. Later rounds
        //    add a fresh sample of new incidents (numbered after the rest) due just ahead.
        figures.dueBeforeSchedulerStart = dues.values.filter { $0 <= Date() }.count
        var roundDues = dues
        var nextNumber = incidents + 1
        for round in 1...rounds {
            if round > 1 {
                let base = Date().addingTimeInterval(3 + 2 * perCommit * Double(sample))
                let plans = (0..<sample).map { offset in
                    IncidentPlan(
                        number: nextNumber + offset, severity: Self.severities[offset % 3], category: Self.categories[offset % 4],
                        farOffsets: (0..<3).map { _ in Double.random(in: 0..<(30 * 86_400), using: &random) })
                }
                nextNumber += sample
                let due = Dictionary(uniqueKeysWithValues: zip(plans.map(\.number), sampleOffsets.map { base.addingTimeInterval($0) }))
                roundDues = due
                try await commitAll(plans, to: store) { plan in plan.work(openedAt: openedAt, sampleDue: due[plan.number]) }
            }
            let lateness = try await fire(roundDues, store: store, round: round)
            figures.rounds.append(RoundLateness(fired: lateness.count, p50: Self.percentile(lateness, 0.50), p99: Self.percentile(lateness, 0.99), max: lateness.last))
        }
        figures.rssAfterRunKiB = Memory.kib("VmRSS")
        figures.rssPeakKiB = Memory.kib("VmHWM")

        // Diagnostics: what one idle scheduler pass costs with this many rows (median of 21).
        figures.nextFireMs = try await Self.median(21) { _ = try await store.nextClockFireAt() }
        figures.idleClaimMs = try await Self.median(21) {
            _ = try await store.claimDueClocks(now: Date(), limit: 200, worker: "bench-idle", leaseUntil: Date().addingTimeInterval(30))
        }
        // For comparison: the earliest next_fire_at_ms alone, which the (state, next_fire_at_ms)
        // index answers with one seek; nextClockFireAt's min(max(…, lease)) cannot use it that way.
        figures.indexMinMs = try await Self.median(21) {
            _ = try await store.read { database in
                try database.queryFirst("SELECT min(next_fire_at_ms) FROM clocks WHERE state = 'running'") { $0.int64(0) }
            }
        }
        await store.close()
        return figures
    }

    /// Runs a `ClockScheduler` until every clock of `dues` has fired (or patience runs out) and
    /// returns each breach alert's lateness in milliseconds, ascending.
    private func fire(_ dues: [Int: Date], store: SQLiteIncidentStore, round: Int) async throws -> [Double] {
        var logger = Logger(label: "vigil-bench")
        logger.logLevel = .warning  // one info line per firing otherwise; not what is measured here
        let scheduler = ClockScheduler(
            store: store, policy: Self.policy, catalog: PlaybookCatalog(), clock: ContinuousClock(), now: { Date() },
            outboxWritten: {}, logger: logger)
        let before = try await Self.breachCount(store)
        progress("round \(round): scheduler running; waiting for \(dues.count) breaches…")
        let running = Task { try await scheduler.run() }
        let lastDue = dues.values.max() ?? Date()
        try await Task.sleep(for: .seconds(max(0, lastDue.timeIntervalSinceNow) + 1))
        let giveUp = lastDue.addingTimeInterval(patience)
        var breached = try await Self.breachCount(store) - before
        while breached < dues.count, Date() < giveUp {
            try await Task.sleep(for: .milliseconds(250))
            breached = try await Self.breachCount(store) - before
        }
        running.cancel()
        _ = try? await running.value
        var lateness: [Double] = []
        for number in dues.keys.sorted() {
            for event in try await store.events(of: number) where event.kind == .clockBreached {
                guard let due = event.payload["due_at"].flatMap(Int64.init) else { continue }
                let at = Int64((event.at.timeIntervalSince1970 * 1000).rounded())
                lateness.append(Double(at - due))
            }
        }
        return lateness.sorted()
    }

    /// Commits one unit of work per plan through `commit`, `inFlight` at a time.
    private func commitAll(
        _ plans: [IncidentPlan], to store: SQLiteIncidentStore, _ work: @escaping @Sendable (IncidentPlan) -> UnitOfWork
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var iterator = plans.makeIterator()
            var done = 0
            for _ in 0..<inFlight {
                guard let plan = iterator.next() else { break }
                group.addTask { try await store.commit(work(plan)) }
            }
            while try await group.next() != nil {
                done += 1
                if done % 20_000 == 0 { progress("  \(done) committed") }
                if let plan = iterator.next() { group.addTask { try await store.commit(work(plan)) } }
            }
        }
    }

    static func breachCount(_ store: SQLiteIncidentStore) async throws -> Int {
        try await store.read { database in
            try database.queryFirst("SELECT count(*) FROM events WHERE kind = 'clock_breached'") { $0.int(0) ?? 0 } ?? 0
        }
    }

    static func databaseBytes(_ path: String) -> Int64 {
        ["", "-wal"].reduce(0) { total, suffix in
            let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value
            return total + (size ?? 0)
        }
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func median(_ times: Int, _ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<times {
            let start = clock.now
            try await body()
            samples.append((clock.now - start).milliseconds)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}

/// One seeded incident: its severity, category and where its far-future clocks fall.
struct IncidentPlan: Sendable {
    var number: Int
    var severity: String
    var category: String
    /// Offsets (seconds) added to 7 days for the ack, resolve and third clock.
    var farOffsets: [Double]

    /// The unit of work that opens it: the incident, its `opened` event and 3 running clocks.
    /// With `sampleDue`, the ack clock is due then, its warnings already spent.
    func work(openedAt: Date, sampleDue: Date?) -> UnitOfWork {
        let policy = SchedulerBenchmark.policy
        var incident = Incident(
            number: number, title: "Benchmark incident \(number)", severity: severity, category: category,
            reporter: SchedulerBenchmark.reporter, platform: "slack", channel: "trust-safety", openedAt: openedAt,
            knownAt: openedAt, restricted: category == "child-safety")
        let opened = EventChain.append(
            .opened, by: SchedulerBenchmark.reporter, at: openedAt,
            payload: ["title": incident.title, "severity": severity, "category": category], to: &incident)
        func far(_ index: Int) -> Date { openedAt.addingTimeInterval(7 * 86_400 + farOffsets[index]) }
        var ack = ClockRow(incident: number, name: ClockPlanner.ackName, kind: .ack, startedAt: openedAt, dueAt: far(0))
        let resolve = ClockRow(
            incident: number, name: ClockPlanner.resolveName, kind: .resolve, startedAt: openedAt,
            dueAt: max(far(0), far(1)))
        let third =
            category == "child-safety"
            ? ClockRow(
                incident: number, name: ClockPlanner.legalName, kind: .legal, startedAt: openedAt, dueAt: far(2),
                rule: "NCMEC CyberTipline report (18 U.S.C. §2258A(a))")
            : ClockRow(incident: number, name: "step:preserve-evidence", kind: .step, startedAt: openedAt, dueAt: far(2))
        var clocks = [ack, resolve, third].map { ClockPlanner.schedule($0, policy: policy, incident: incident) }
        if let sampleDue {
            ack.dueAt = Date(timeIntervalSince1970: (sampleDue.timeIntervalSince1970 * 1000).rounded() / 1000)
            ack.nextFireAt = ack.dueAt
            ack.warningsSent = policy.severity(named: severity)?.warn.count ?? 0
            clocks[0] = ack
        }
        return UnitOfWork(
            requestID: "bench-open-\(number)", reply: Reply.ephemeral("Opened \(policy.displayID(number))"),
            incident: incident, expectedSequence: 0, events: [opened], outbox: [], clocks: clocks)
    }
}

/// One round's breach-alert lateness, in milliseconds.
struct RoundLateness: Sendable {
    var fired: Int
    var p50: Double?
    var p99: Double?
    var max: Double?
}

/// What `vigil-bench scheduler` measured.
struct SchedulerFigures: Sendable {
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

    /// What was measured and how, above the table.
    static let method = """
        \(100_000) open incidents with 3 running clocks each (ack, resolve, and a legal or playbook-step
        clock) in a fresh SQLite database (WAL, `synchronous=NORMAL`), seeded through the store's
        `commit` (one transaction per incident). 2,000 of them have ack clocks due over ~8 s after seeding;
        every other clock is due 7–37 days out. The store is closed and reopened (time to re-arm), then a
        `ClockScheduler` (real `ContinuousClock` and `Date()`) runs until all 2,000 have fired. Two more
        rounds each add 2,000 new incidents due over ~8 s and fire them the same way. Lateness = the
        `clock_breached` event's time minus its `due_at`; figures are the median round with the spread
        (min–max) of the 3 rounds. Outbox delivery does not run. Fixed seed.
        Target: alert lateness p99 ≤ 250 ms with 100,000 open incidents.

        Command: `"$(swift build -c release --show-bin-path)/vigil-bench" scheduler`
        """

    var markdown: String {
        func ms1(_ value: Double) -> String { String(format: "%.1f ms", value) }
        func mib(_ kib: Int?) -> String { kib.map { String(format: "%.0f MiB", Double($0) / 1024) } ?? "n/a" }
        let verdict = p99Met ? "met" : allFired ? "**missed**" : "**missed** (not all fired)"
        let rows: [(String, String, String)] = [
            ("Open incidents × running clocks", "\(incidents) × 3 = \(incidents * 3)", "plus \(sample) per later round"),
            ("Seeding (one `commit` per incident, 8 in flight)",
             String(format: "%.1f s (%.0f incidents/s)", seedSeconds, Double(incidents) / seedSeconds), ""),
            ("Database size (file + WAL)", String(format: "%.0f MiB", Double(databaseBytes) / 1_048_576), ""),
            ("Time to re-arm at start (open + migrations check + first `nextClockFireAt()`)", ms1(rearmMs),
             "of which open \(ms1(openMs))"),
            ("Sample clocks fired / due, per round", rounds.map { "\($0.fired)" }.joined(separator: ", ") + " / \(sample)",
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
        | Scheduler | Alert lateness p99, \(incidents) open incidents × 3 clocks | \(acrossRounds(\.p99)) | ≤ 250 ms: \(p99Met ? "met" : "**missed**") |
        | Scheduler | Alert lateness p50 / max | \(acrossRounds(\.p50)) / \(acrossRounds(\.max)) | |
        | Scheduler | Time to re-arm at start | \(String(format: "%.1f ms", rearmMs)) | |

        """
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// SplitMix64: a tiny seeded generator, so every run seeds the same data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Memory {
    /// A `kB` line of /proc/self/status (`VmRSS`, `VmHWM`), in KiB.
    static func kib(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}

func progress(_ text: String) {
    FileHandle.standardError.write(Data("[vigil-bench] \(text)\n".utf8))
}
