import Foundation
import NIOCore

/// One `open`-at-saturation phase against replicas on PostgreSQL.
struct ReplicaSample: Sendable {
    var phase: PhaseSample
    /// CPU the replicas used over the phase (warm-up included), in cores: on a small machine,
    /// the replicas, PostgreSQL and the client share the same few.
    var cores: Double
}

/// `open` at saturation on PostgreSQL: for each count of `--replicas`, that many `vigil serve`
/// processes on one fresh database of the server `--postgres` names, the pool's connections
/// spread over them evenly, as a round-robin balancer would spread them.
///
/// Each repetition runs every replica count in turn (so a drift over the run touches each
/// alike) on a database created for the phase and dropped after it. Replicas start one after
/// another: the first migrates, the others find the schema current.
struct ReplicaRun {
    let options: LoadOptions
    let postgres: PostgresScratch

    private var warmupNanos: UInt64 { UInt64(options.warmup * 1e9) }
    private var measureNanos: UInt64 { UInt64(options.seconds * 1e9) }

    func execute(loop: any EventLoop, sink: WebhookSink, into results: inout RunResults) async throws {
        results.postgresVersion = try? postgres.serverVersion()
        var capacity = 1_000.0
        var serial = 0
        for repetition in 1...options.repetitions {
            for replicas in options.replicas {
                serial += 1
                let name = "vigil_load_\(getpid())_\(serial)"
                try postgres.createDatabase(name)
                var servers: [ServerUnderTest] = []
                do {
                    for _ in 0..<replicas {
                        let server = try ServerUnderTest(
                            vigil: options.vigil, repository: options.repository, sinkPort: sink.port,
                            database: postgres.url(database: name))
                        servers.append(server)
                        _ = try server.spawn()
                        _ = try await server.waitUntilReady(on: loop)
                    }
                    let label = "saturation, open only, PostgreSQL, \(replicas) \(replicas == 1 ? "replica" : "replicas") \(repetition)/\(options.repetitions)"
                    let sample = try await phase(servers, loop: loop, sink: sink, serial: serial, capacity: capacity, label: label)
                    capacity = max(capacity, sample.phase.throughput)
                    results.replicaOpenOnly[replicas, default: []].append(sample)
                    results.serverErrors += servers.reduce(0) { $0 + LoadRun.errorLines(in: $1.logURL) }
                } catch {
                    for server in servers { Progress.say("vigil on port \(server.port), log (last lines):\n\(server.logTail())") }
                    for server in servers { await server.remove() }
                    try? postgres.dropDatabase(name)
                    throw error
                }
                for server in servers { await server.remove() }
                try postgres.dropDatabase(name)
            }
        }
    }

    /// Signs the opens, runs the phase over connections spread across `servers`, waits for
    /// their outboxes to drain, and says how it went.
    private func phase(
        _ servers: [ServerUnderTest], loop: any EventLoop, sink: WebhookSink, serial: Int, capacity: Double, label: String
    ) async throws -> ReplicaSample {
        let host = "127.0.0.1"
        let ports = servers.map(\.port)
        let engine = try await loop.submit { NIOLoopBound(LoadEngine(eventLoop: loop, host: host, ports: ports), eventLoop: loop) }.get()
        try await loop.flatSubmit { engine.value.connect(count: self.options.connections) }.get()
        // Phase numbers apart from the SQLite run's keep trigger IDs distinct across the whole run.
        let phase = 10_000 + serial
        let expected = Int(capacity * 2.5 * (options.warmup + options.seconds))
        let pool = SignedRequestPool(
            factory: SlackRequestFactory(host: "\(host):\(ports[0])"), phase: phase, seed: options.seed, opens: expected,
            followUpIncidents: 0, highestNumber: 0)
        let plan = PhasePlan(
            kind: .openOnly, warmupNanos: warmupNanos, measureNanos: measureNanos, seed: options.seed &* 0x9E37_79B9 &+ UInt64(phase))
        let cpuBefore = servers.reduce(0.0) { $0 + ($1.cpuSeconds() ?? 0) }
        let began = ContinuousClock.now
        var sample = try await loop.flatSubmit { engine.value.run(plan, pool: pool) }.get()
        let elapsed = Double((ContinuousClock.now - began).nanoseconds) / 1e9
        let cpuAfter = servers.reduce(0.0) { $0 + ($1.cpuSeconds() ?? 0) }
        try await loop.flatSubmit { engine.value.shutdown() }.get()
        if let stopped = servers.first(where: { !$0.isRunning }) {
            throw LoadRunError(description: "vigil on port \(stopped.port) exited during the run (status \(stopped.terminationStatus))")
        }
        sample.drainNanos = await LoadRun.waitForQuiet(sink, servers).nanoseconds
        let result = ReplicaSample(phase: sample, cores: elapsed > 0 ? (cpuAfter - cpuBefore) / elapsed : 0)
        let latency = sample.latencySummary
        Progress.say(
            "\(label): \(Format.count(Int(sample.throughput.rounded()))) req/s, p50 \(Format.latency(latency.p50)), p99 \(Format.latency(latency.p99)), max \(Format.latency(latency.max)), errors \(sample.errors), replicas used \(String(format: "%.2f", result.cores)) cores, outbox drained \(Format.latency(sample.drainNanos)) after"
        )
        for description in sample.errorSamples { Progress.say("  error: \(description)") }
        if sample.signedLate > 0 { Progress.say("  \(sample.signedLate) requests signed during the phase (pool ran short)") }
        return result
    }
}

/// The PostgreSQL server `--postgres` names, where `vigil-load` creates a database per phase
/// through `psql` (installed with the server) and drops it afterwards.
struct PostgresScratch: Sendable {
    /// `postgres://user[:password]@host:port[/database]`: the database, if any, is where `psql`
    /// connects to create the others.
    let url: URLComponents

    init(_ text: String) throws(LoadRunError) {
        guard let components = URLComponents(string: text), components.scheme == "postgres" || components.scheme == "postgresql",
            components.host?.isEmpty == false
        else {
            throw LoadRunError(description: "--postgres needs a URL like postgres://user@127.0.0.1:5432, not \"\(text)\"")
        }
        url = components
    }

    /// The URL of database `name` on this server, for a replica's config.
    func url(database name: String) -> String {
        var components = url
        components.path = "/" + name
        components.query = nil
        return components.string ?? ""
    }

    private var maintenanceURL: String {
        var components = url
        if components.path.isEmpty || components.path == "/" { components.path = "/postgres" }
        return components.string ?? ""
    }

    func createDatabase(_ name: String) throws {
        _ = try psql("CREATE DATABASE \(name)")
    }

    func dropDatabase(_ name: String) throws {
        _ = try psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// `15.14 (Debian 15.14-0+deb12u1)`: what the report says it measured.
    func serverVersion() throws -> String {
        try psql("SHOW server_version").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func psql(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", maintenanceURL, "-c", sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // psql's output is a line or an error message: it fits the pipe, so reading after the
        // exit cannot deadlock.
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw LoadRunError(description: "psql \"\(sql)\" failed (exit \(process.terminationStatus)): \(text)")
        }
        return text
    }
}
