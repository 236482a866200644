import Foundation
import NIOCore
import NIOPosix

/// Everything one run measured, for the report.
struct RunResults: Sendable {
    /// Spawn to first 200 from `/readyz`, one per start-up repetition, in nanoseconds.
    var ready: [UInt64] = []
    /// Resident memory about a second after ready, before any load, one per start-up.
    var idle: [ResidentMemory] = []
    /// Open-loop samples by offered rate, one per repetition.
    var openLoop: [Int: [PhaseSample]] = [:]
    var saturation: [PhaseSample] = []
    var health: [PhaseSample] = []
    /// `open` only at saturation, against Vigil and against the slack-bolt peer.
    var openOnly: [PhaseSample] = []
    var peerOpenOnly: [PhaseSample] = []
    /// `open` only at saturation on PostgreSQL, by the number of replicas sharing the load.
    var replicaOpenOnly: [Int: [ReplicaSample]] = [:]
    /// The PostgreSQL server's version, when the replicas ran.
    var postgresVersion: String?
    /// After the fill: the command mix at 1,000 req/s alone, and with `report 365d` looping
    /// beside it (one loop sample per phase), one of each per repetition.
    var reportBaseline: [PhaseSample] = []
    var reportLoaded: [PhaseSample] = []
    var reportLoops: [ReportLoopSample] = []
    /// The highest incident number when the report phases began.
    var reportIncidents = 0
    /// The fill to `incidents`: incidents it opened and how long that took, signing aside.
    var fillOpens = 0
    var fillNanos: UInt64 = 0
    /// How long after the fill Vigil's outbox went on posting what the fill wrote, when the
    /// report phases waited for it.
    var fillDrainNanos: UInt64?
    /// The highest incident number at the end, and memory read right then.
    var incidents = 0
    var loaded: ResidentMemory?
    /// Posts the webhook sink received during the load phases: the outbox delivered them over HTTP.
    var webhookPosts = 0
    /// CPU seconds used by the loaded server and by `vigil-load` (client and sink) over the run.
    var serverCPU: Double?
    var clientCPU: Double?
    /// Lines Vigil logged at error level.
    var serverErrors = 0
    /// Lines the peer logged at error level, and its tracebacks; nil when it did not run.
    var peerErrors: Int?
    /// The 1-minute load average when the run began: other work on the machine skews every figure.
    var loadAverage: Double?
    var totalSeconds = 0.0
}

/// Runs the whole measurement: start-ups, the load phases (interleaved across repetitions so a
/// drift over the run, such as the growing database or other work on the machine, touches every
/// phase alike, and so that Vigil, the peer and `/healthz` are compared side by side), the fill
/// to `--incidents`, the memory reads, and the report phases on the filled database.
struct LoadRun {
    let options: LoadOptions

    private var warmupNanos: UInt64 { UInt64(options.warmup * 1e9) }
    private var measureNanos: UInt64 { UInt64(options.seconds * 1e9) }

    func execute() async throws -> RunResults {
        let began = ContinuousClock.now
        var results = RunResults()
        results.loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .flatMap { $0.split(separator: " ").first }.flatMap { Double($0) }
        if let load = results.loadAverage, load > 0.5 {
            Progress.say("note: the load average is \(load) before the run: other work will skew the figures")
        }
        // One thread for the client and one for the sink: the server gets the rest of the
        // machine, and the sink's work does not delay the client's schedule.
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let sinkGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = clientGroup.next()
        let sink = try await WebhookSink.start(on: sinkGroup)
        var server: ServerUnderTest?
        var peer: PeerUnderTest?
        if options.peer == nil { Progress.say("note: no --peer: the slack-bolt peer is not measured") }
        do {
            if let gunicorn = options.peer, options.phases.contains(.peer) {
                let candidate = try PeerUnderTest(gunicorn: gunicorn, app: LoadOptions.peerApp)
                peer = candidate
                let began = ContinuousClock.now
                try candidate.spawn()
                try await candidate.waitUntilReady(on: loop)
                Progress.say(
                    "peer (gunicorn pid \(candidate.pid), port \(candidate.port), \(PeerUnderTest.workers) sync workers): answering after \(Format.latency((ContinuousClock.now - began).nanoseconds))"
                )
            }
            for repetition in 1...options.repetitions {
                let candidate = try ServerUnderTest(vigil: options.vigil, repository: options.repository, sinkPort: sink.port)
                server = candidate
                let spawned = try candidate.spawn()
                let ready = try await candidate.waitUntilReady(on: loop)
                results.ready.append(ready - spawned)
                try await Task.sleep(for: .seconds(1))
                let idle = try candidate.memory()
                results.idle.append(idle)
                Progress.say(
                    "start-up \(repetition)/\(options.repetitions) (pid \(candidate.pid), port \(candidate.port)): ready in \(Format.latency(ready - spawned)), idle RSS \(Format.megabytes(idle.current))"
                )
                // The last server stays up and takes the load.
                if repetition < options.repetitions { await candidate.remove() }
            }
            guard let server else { throw LoadRunError(description: "no server started") }
            try await load(server, peer: peer, loop: loop, sink: sink, into: &results)
            results.serverErrors = Self.errorLines(in: server.logURL)
            await server.remove()
            // After the SQLite server has gone: the replicas and PostgreSQL get the machine.
            if let postgres = options.postgres, options.phases.contains(.replicas) {
                try await ReplicaRun(options: options, postgres: postgres).execute(loop: loop, sink: sink, into: &results)
            }
            if let peer {
                results.peerErrors = peer.errorLines()
                if results.peerErrors! > 0 { Progress.say("peer log (last lines):\n\(peer.logTail())") }
                await peer.remove()
            }
        } catch {
            if let server {
                Progress.say("vigil log (last lines):\n\(server.logTail())")
                await server.remove()
            }
            if let peer {
                Progress.say("peer log (last lines):\n\(peer.logTail())")
                await peer.remove()
            }
            await sink.stop()
            try? await clientGroup.shutdownGracefully()
            try? await sinkGroup.shutdownGracefully()
            throw error
        }
        var usage = rusage()
        if getrusage(Int32(RUSAGE_SELF.rawValue), &usage) == 0 {
            func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
            results.clientCPU = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
        await sink.stop()
        try? await clientGroup.shutdownGracefully()
        try? await sinkGroup.shutdownGracefully()
        results.totalSeconds = Double((ContinuousClock.now - began).nanoseconds) / 1e9
        return results
    }

    /// Where a phase's requests go.
    private enum Target {
        case vigil
        /// The slack-bolt peer: `open` only, on connections opened for the phase.
        case peer(PeerUnderTest)
    }

    /// The load phases, the fill and the report phases, against a server that is up and idle
    /// (and the peer, when it runs).
    private func load(
        _ server: ServerUnderTest, peer: PeerUnderTest?, loop: any EventLoop, sink: WebhookSink, into results: inout RunResults
    ) async throws {
        let host = "127.0.0.1"
        let port = server.port
        let phases = options.phases
        let engine = try await loop.submit { NIOLoopBound(LoadEngine(eventLoop: loop, host: host, port: port), eventLoop: loop) }.get()
        try await loop.flatSubmit { engine.value.connect(count: self.options.connections) }.get()
        let factory = SlackRequestFactory(host: "\(host):\(port)")
        var serial = 0
        // The best rate seen so far, to size the next phase's pool of signed requests: the
        // command mix's, and `open` alone against Vigil and against the peer.
        var capacity = 1_000.0
        var openCapacity = 1_000.0
        var peerCapacity = 1_000.0
        let phaseSeconds = options.warmup + options.seconds

        /// Signs, runs (with the report loop beside it if `reports`), lets Vigil's outbox
        /// drain, and says how it went; `name` nil for the fill.
        func run(
            _ kind: PhaseKind, _ name: String?, opens: Int, followUps: Int, against target: Target = .vigil, reports: Bool = false
        ) async throws -> (phase: PhaseSample, reports: ReportLoopSample?) {
            serial += 1
            let phase = serial
            let plan = PhasePlan(
                kind: kind, warmupNanos: warmupNanos, measureNanos: measureNanos,
                seed: options.seed &* 0x9E37_79B9 &+ UInt64(phase))
            // The peer gets connections of its own for the phase alone: gunicorn's sync workers
            // would sit on idle ones between its phases (and be killed for it after 30 s).
            let driver: NIOLoopBound<LoadEngine>
            var requestHost = "\(host):\(port)"
            switch target {
            case .vigil:
                driver = engine
            case let .peer(peer):
                let peerPort = peer.port
                requestHost = "\(host):\(peerPort)"
                driver = try await loop.submit {
                    NIOLoopBound(LoadEngine(eventLoop: loop, host: host, port: peerPort), eventLoop: loop)
                }.get()
                try await loop.flatSubmit { driver.value.connect(count: self.options.connections) }.get()
            }
            var pool: SignedRequestPool?
            let signing = ContinuousClock.now
            if kind != .health {
                let highest = try await loop.submit { driver.value.highestNumber }.get()
                let signer = requestHost == factory.host ? factory : SlackRequestFactory(host: requestHost)
                pool = SignedRequestPool(
                    factory: signer, phase: phase, seed: options.seed, opens: opens, followUpIncidents: followUps,
                    highestNumber: highest)
            }
            let signed = pool
            let signedIn = ContinuousClock.now - signing
            var reportLoop: NIOLoopBound<ReportLoop>?
            if reports {
                let seed = options.seed
                let bound = try await loop.submit {
                    NIOLoopBound(ReportLoop(eventLoop: loop, host: host, port: port, phase: phase, seed: seed), eventLoop: loop)
                }.get()
                try await loop.flatSubmit { bound.value.start() }.get()
                reportLoop = bound
            }
            var sample = try await loop.flatSubmit { driver.value.run(plan, pool: signed) }.get()
            var reportSample: ReportLoopSample?
            if let reportLoop { reportSample = try await loop.flatSubmit { reportLoop.value.stop() }.get() }
            if case .peer = target { try await loop.flatSubmit { driver.value.shutdown() }.get() }
            guard server.isRunning else {
                throw LoadRunError(description: "vigil exited during the run (status \(server.terminationStatus))")
            }
            if case let .peer(peer) = target, !peer.isRunning {
                throw LoadRunError(description: "the peer exited during the run (status \(peer.terminationStatus))")
            }
            switch (kind, target) {
            case (.openOnly, .peer): peerCapacity = max(peerCapacity, sample.throughput)
            case (.openOnly, .vigil), (.fill, _): openCapacity = max(openCapacity, sample.throughput)
            case (.health, _): break
            default: capacity = max(capacity, sample.throughput)
            }
            // Let the outbox deliver what this phase wrote, so it does not spill into the next
            // (the fill measures nothing, health checks write nothing and the peer posts
            // nothing: they go on at once). How long that takes is Vigil's delivery lag at the
            // phase's load, worth reporting.
            switch (kind, target) {
            case (.fill, _), (.health, _), (_, .peer): break
            default: sample.drainNanos = await Self.waitForQuiet(sink, [server]).nanoseconds
            }
            if let name {
                let latency = sample.latencySummary
                var line = "\(name): \(Format.count(Int(sample.throughput.rounded()))) req/s, p50 \(Format.latency(latency.p50)), "
                line += "p99 \(Format.latency(latency.p99)), max \(Format.latency(latency.max)), errors \(sample.errors), "
                line += "refusals \(sample.refusals)"
                if kind != .health { line += "; signed in \(Format.latency(signedIn.nanoseconds))" }
                if case .vigil = target, kind != .health {
                    line += ", outbox drained \(Format.latency(sample.drainNanos)) after"
                }
                Progress.say(line)
            }
            for description in sample.errorSamples { Progress.say("  error: \(description)") }
            if sample.signedLate > 0 { Progress.say("  \(sample.signedLate) requests signed during the phase (pool ran short)") }
            if let reportSample {
                let sorted = reportSample.latencies.sorted()
                let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
                Progress.say(
                    "  `\(ReportLoop.text)` beside it: \(sorted.count) answered, each over \(Format.count(reportSample.incidentsCovered)) incidents, median \(Format.latency(median)), max \(Format.latency(sorted.last ?? 0)), errors \(reportSample.errors)"
                )
                for description in reportSample.errorSamples { Progress.say("  report error: \(description)") }
            }
            return (sample, reportSample)
        }

        for repetition in 1...options.repetitions {
            let of = "\(repetition)/\(options.repetitions)"
            if phases.contains(.rates) {
                for rate in options.rates {
                    let slots = Int(Double(rate) * phaseSeconds)
                    // Every slot could be an open when Vigil falls behind; follow-ups come to about
                    // one incident in five slots when it keeps up.
                    let sample = try await run(
                        .openLoop(rate: rate), "open loop \(Format.count(rate)) req/s \(of)", opens: slots, followUps: slots / 4 + 64)
                    results.openLoop[rate, default: []].append(sample.phase)
                }
            }
            if phases.contains(.mix) {
                // Saturation can beat every open-loop phase; signing spare requests is cheap.
                let expected = Int(capacity * 2.5 * phaseSeconds)
                results.saturation.append(
                    try await run(.closedLoop, "saturation, command mix \(of)", opens: expected / 2, followUps: expected / 4).phase)
            }
            // `open` against Vigil, against the peer and `/healthz`, one after another, so that
            // their ratios compare figures taken under the same conditions.
            if phases.contains(.open) {
                let expected = Int(openCapacity * 2.5 * phaseSeconds)
                results.openOnly.append(try await run(.openOnly, "saturation, open only, Vigil \(of)", opens: expected, followUps: 0).phase)
            }
            if let peer, phases.contains(.peer) {
                let expected = Int(peerCapacity * 2.5 * phaseSeconds)
                results.peerOpenOnly.append(
                    try await run(.openOnly, "saturation, open only, slack-bolt peer \(of)", opens: expected, followUps: 0, against: .peer(peer))
                        .phase)
            }
            if phases.contains(.health) {
                results.health.append(try await run(.health, "saturation, GET /healthz \(of)", opens: 0, followUps: 0).phase)
            }
        }

        results.webhookPosts = sink.received
        if phases.contains(.fill) || phases.contains(.report) {
            // Fill to `--incidents` with opens at saturation, in chunks signed just before they go
            // so that no timestamp nears Vigil's five-minute window even on a slow machine.
            var stalled = 0
            while stalled < 3 {
                let opened = try await loop.submit { engine.value.openedTotal }.get()
                let missing = options.incidents - opened
                guard missing > 0 else { break }
                let chunk = min(missing, 20_000)
                let sample = try await run(.fill(opens: chunk), nil, opens: chunk, followUps: 0).phase
                results.fillOpens += sample.opened
                results.fillNanos += sample.windowNanos
                stalled = sample.opened == 0 ? stalled + 1 : 0
                Progress.say("fill: \(Format.count(opened + sample.opened)) of \(Format.count(options.incidents)) incidents opened")
            }
            results.incidents = try await loop.submit { engine.value.highestNumber }.get()
            results.loaded = try server.memory()
            Progress.say(
                "\(Format.count(results.incidents)) incidents: RSS \(Format.megabytes(results.loaded!.current)), peak \(Format.megabytes(results.loaded!.peak))"
            )
        }
        if phases.contains(.report) {
            // The year-long report only costs something on a database worth reporting on: these
            // run after the fill, the mix alone and the mix with the report loop in turn, so
            // the ratio compares phases on the same database a minute apart. The fill does not
            // wait for the outbox, which still owes a post per incident: delivering that backlog
            // during these phases would slow whichever came first.
            let drained = await Self.waitForQuiet(sink, [server], limit: Self.fillDrainLimit).nanoseconds
            results.fillDrainNanos = drained
            Progress.say("fill: the outbox drained \(Format.latency(drained)) after")
            results.reportIncidents = try await loop.submit { engine.value.highestNumber }.get()
            let rate = MarkdownReport.p99TargetRate
            let slots = Int(Double(rate) * phaseSeconds)
            for repetition in 1...options.repetitions {
                let of = "\(repetition)/\(options.repetitions)"
                // Which goes first alternates: a server still catching up (the outbox may not
                // have drained within the limit) is slower in the earlier phase of each pair.
                for reports in repetition % 2 == 1 ? [false, true] : [true, false] {
                    let name = reports ? "`\(ReportLoop.text)` looping" : "no report"
                    let sample = try await run(
                        .openLoop(rate: rate), "open loop \(Format.count(rate)) req/s, \(name) \(of)", opens: slots,
                        followUps: slots / 4 + 64, reports: reports)
                    if reports {
                        results.reportLoaded.append(sample.phase)
                        results.reportLoops.append(sample.reports ?? ReportLoopSample())
                    } else {
                        results.reportBaseline.append(sample.phase)
                    }
                }
            }
        }
        results.serverCPU = server.cpuSeconds()
        try await loop.flatSubmit { engine.value.shutdown() }.get()
    }

    /// The longest wait for the outbox after the fill: it owes 100,000 posts or so, and the
    /// whole of `make bench` should stay near ten minutes. (Before the store rewrite, Vigil was
    /// still posting 300 s after a fill to 100,000.)
    static let fillDrainLimit = Duration.seconds(120)

    /// Waits until Vigil has caught up with what a phase left it (at most `limit`): no post has
    /// reached the sink for 200 ms and the servers used under a tenth of a core over that time.
    /// The sink alone is not enough: after an overload, requests queued inside the server hold
    /// up the outbox for longer than that. Returns how long after the call the last post came
    /// (to the 50 ms it polls at).
    static func waitForQuiet(_ sink: WebhookSink, _ servers: [ServerUnderTest], limit: Duration = .seconds(20)) async -> Duration {
        let start = ContinuousClock.now
        let deadline = start + limit
        var count = sink.received
        var lastPost = start
        var cpu: [(at: ContinuousClock.Instant, seconds: Double)] = []
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            let now = ContinuousClock.now
            if sink.received != count {
                count = sink.received
                lastPost = now
            }
            cpu.append((now, servers.reduce(0) { $0 + ($1.cpuSeconds() ?? 0) }))
            cpu.removeAll { now - $0.at > .milliseconds(210) }
            guard now - lastPost >= .milliseconds(200), let first = cpu.first, now - first.at >= .milliseconds(150) else { continue }
            let used = (cpu.last!.seconds - first.seconds) / (Double((now - first.at).nanoseconds) / 1e9)
            if used < 0.1 { break }
        }
        return lastPost - start
    }

    /// Counts lines Vigil's logger wrote at error level or above.
    static func errorLines(in log: URL) -> Int {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" critical ") }.count
    }
}

/// Progress lines go to stderr, so stdout carries only the report.
enum Progress {
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension Duration {
    /// The whole duration in nanoseconds (durations here are positive and far below 500 years).
    var nanoseconds: UInt64 {
        UInt64(components.seconds) * 1_000_000_000 + UInt64(components.attoseconds / 1_000_000_000)
    }
}
