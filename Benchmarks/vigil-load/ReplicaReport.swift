import Foundation

/// The `### On PostgreSQL, with replicas` part of the end-to-end section, and its summary rows.
struct ReplicaReport {
    let options: LoadOptions
    let results: RunResults

    var isEmpty: Bool { results.replicaOpenOnly.isEmpty }

    func markdown() -> String {
        guard !isEmpty else { return "" }
        var lines = ["### `open` at saturation on PostgreSQL, one replica and several", "", method, ""]
        lines += [
            "| Database, processes | Achieved | p50 | p90 | p99 | max | Errors | Vigil's CPU | Outbox drained after |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        if !results.openOnly.isEmpty {
            lines.append(row("SQLite, 1 process (the phase above)", results.openOnly.map { ReplicaSample(phase: $0, cores: .nan) }))
        }
        for replicas in options.replicas {
            guard let samples = results.replicaOpenOnly[replicas], !samples.isEmpty else { continue }
            lines.append(row("PostgreSQL, \(Self.replicas(replicas))", samples))
        }
        if let scaling {
            lines += ["", "\(Self.replicas(scaling.replicas)) ÷ 1 replica, throughput: \(Format.ratio(scaling.ratio))."]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `| End to end | measure | value | target |` rows for the summary table.
    func summaryRows() -> String {
        var rows: [String] = []
        for replicas in options.replicas {
            guard let samples = results.replicaOpenOnly[replicas], !samples.isEmpty else { continue }
            let rate = Format.rate(Spread(samples.map(\.phase.throughput)))
            let p99 = Format.latency(Spread(samples.map { Double($0.phase.latencySummary.p99) }))
            rows.append("| End to end | `open` only at saturation, PostgreSQL, \(Self.replicas(replicas)) | \(rate), p99 \(p99) |  |")
        }
        return rows.isEmpty ? "" : rows.joined(separator: "\n") + "\n"
    }

    /// The most replicas measured over one, repetition by repetition (they ran side by side).
    private var scaling: (replicas: Int, ratio: Spread)? {
        guard let most = options.replicas.max(), most > 1, let many = results.replicaOpenOnly[most],
            let one = results.replicaOpenOnly[1], many.count == one.count, !one.isEmpty
        else { return nil }
        return (most, Spread(zip(many, one).map { $1.phase.throughput > 0 ? $0.phase.throughput / $1.phase.throughput : 0 }))
    }

    private static func replicas(_ count: Int) -> String { count == 1 ? "1 replica" : "\(count) replicas" }

    private var method: String {
        let version = results.postgresVersion.map { " \($0)" } ?? ""
        return """
            The same release `vigil serve` and config as above, but with `database:` a fresh PostgreSQL database \
            on a throw-away PostgreSQL\(version) server on 127.0.0.1 (started by `make bench` with `initdb` and \
            `pg_ctl`, at its default settings: `fsync` and `synchronous_commit` on, so every command's transaction \
            waits for its WAL flush, where SQLite's `durability: normal` does not). Each phase creates a database, \
            starts the replicas one after another (the first migrates it), sends distinct signed `open` commands \
            closed loop over the same \(options.connections) connections, spread evenly across the replicas as a \
            round-robin balancer would, then drops the database. Replica counts take turns within each of the \
            \(options.repetitions) repetitions; medians with (min–max). Vigil's CPU is the replicas' together, \
            in cores, over the phase. The replicas, PostgreSQL and `vigil-load` share the same \
            \(ProcessInfo.processInfo.activeProcessorCount) cores, so more replicas here measure contention on \
            one database and one machine, not what replicas on their own machines would add.
            """
    }

    private func row(_ name: String, _ samples: [ReplicaSample]) -> String {
        let phases = samples.map(\.phase)
        let achieved = Format.rate(Spread(phases.map(\.throughput)))
        let p50 = Format.latency(Spread(phases.map { Double($0.latencySummary.p50) }))
        let p90 = Format.latency(Spread(phases.map { Double($0.latencySummary.p90) }))
        let p99 = Format.latency(Spread(phases.map { Double($0.latencySummary.p99) }))
        let max = Format.latency(Spread(phases.map { Double($0.latencySummary.max) }))
        let measured = phases.reduce(0) { $0 + $1.latencies.count }
        let errors = phases.reduce(0) { $0 + $1.errors }
        let cores = samples.map(\.cores).filter { !$0.isNaN }
        let cpu = cores.isEmpty ? "—" : Format.ratio(Spread(cores)) + " cores"
        let drain = Format.latency(Spread(phases.map { Double($0.drainNanos) }))
        return "| \(name) | \(achieved) | \(p50) | \(p90) | \(p99) | \(max) | \(Format.count(errors)) of \(Format.count(measured)) | \(cpu) | \(drain) |"
    }
}
