import Foundation
import Logging
import VigilCore
import VigilServer
import VigilStore

/// The SLA scheduler under load: N open incidents with 3 running clocks each, of which a sample's
/// ack clocks come due over a few seconds while a real `ClockScheduler` runs, on a fresh SQLite
/// or PostgreSQL database (``SchedulerDatabase``).
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
    var spread: TimeInterval = 5
    /// Seeding commits in flight at once (each still its own transaction).
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

    /// Seeds a fresh `database`, measures, and deletes it again, whether or not the run ends.
    func run(on database: any SchedulerDatabase) async throws -> SchedulerFigures {
        do {
            let figures = try await measure(database)
            await database.remove()
            return figures
        } catch {
            await database.remove()
            throw error
        }
    }

    private func measure(_ database: any SchedulerDatabase) async throws -> SchedulerFigures {
        var figures = SchedulerFigures(database: database.kind, incidents: incidents, sample: sample, roundsPlanned: rounds)
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

        var store = try await database.open()
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
        figures.databaseBytes = try await database.sizeBytes()
        progress(String(format: "seeded in %.1f s (%.0f incidents/s)", figures.seedSeconds, Double(incidents) / figures.seedSeconds))

        // 2. Re-arm at start: what a restarted scheduler does before it can sleep.
        await database.closeStore()
        let rearmStart = seedClock.now
        store = try await database.open()
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
            let lateness = try await fire(roundDues, store: store, database: database, round: round)
            figures.rounds.append(RoundLateness(fired: lateness.count, p50: Self.percentile(lateness, 0.50), p99: Self.percentile(lateness, 0.99), max: lateness.last))
        }
        figures.rssAfterRunKiB = Memory.kib("VmRSS")
        figures.rssPeakKiB = Memory.kib("VmHWM")

        // Diagnostics: what one idle scheduler pass costs with this many rows (median of 21).
        figures.nextFireMs = try await Self.median(21) { _ = try await store.nextClockFireAt() }
        figures.idleClaimMs = try await Self.median(21) {
            _ = try await store.claimDueClocks(now: Date(), limit: 200, worker: "bench-idle", leaseUntil: Date().addingTimeInterval(30))
        }
        // For comparison: the earliest next_fire_at_ms alone, which the next-fire index answers
        // with one seek; nextClockFireAt also weighs leases, so it reads a window of that index.
        figures.indexMinMs = try await Self.median(21) { try await database.earliestRunningFire() }
        return figures
    }

    /// Runs a `ClockScheduler` until every clock of `dues` has fired (or patience runs out) and
    /// returns each breach alert's lateness in milliseconds, ascending.
    private func fire(
        _ dues: [Int: Date], store: any SchedulerStore, database: any SchedulerDatabase, round: Int
    ) async throws -> [Double] {
        var logger = Logger(label: "vigil-bench")
        logger.logLevel = .warning  // one info line per firing otherwise; not what is measured here
        let scheduler = ClockScheduler(
            store: store, policy: Self.policy, catalog: PlaybookCatalog(), clock: ContinuousClock(), now: { Date() },
            outboxWritten: {}, logger: logger)
        let before = try await database.breachCount()
        progress("round \(round): scheduler running; waiting for \(dues.count) breaches…")
        let running = Task { try await scheduler.run() }
        let lastDue = dues.values.max() ?? Date()
        try await Task.sleep(for: .seconds(max(0, lastDue.timeIntervalSinceNow) + 1))
        let giveUp = lastDue.addingTimeInterval(patience)
        var breached = try await database.breachCount() - before
        while breached < dues.count, Date() < giveUp {
            try await Task.sleep(for: .milliseconds(250))
            breached = try await database.breachCount() - before
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
        _ plans: [IncidentPlan], to store: any SchedulerStore, _ work: @escaping @Sendable (IncidentPlan) -> UnitOfWork
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
