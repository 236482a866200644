import Foundation

/// The `## End to end` section of BENCHMARKS.md, and the headline rows for its summary table.
struct MarkdownReport {
    let options: LoadOptions
    let results: RunResults
    /// The command line as it was typed.
    let command: String

    /// Targets from the issue.
    static let idleMemoryTarget = 30_000_000.0
    static let p99Target = 5_000_000.0
    static let p99TargetRate = 1_000
    static let saturationShareTarget = 0.5

    // MARK: - Figures

    private func spread(_ samples: [PhaseSample], _ value: (PhaseSample) -> Double) -> Spread {
        Spread(samples.map(value))
    }

    private var idleMemory: Spread { Spread(results.idle.map { Double($0.current) }) }
    private var ready: Spread { Spread(results.ready.map { Double($0) }) }

    /// Saturation over the `/healthz` ceiling, repetition by repetition (they ran side by side).
    private var saturationShare: Spread? {
        guard !results.saturation.isEmpty, results.saturation.count == results.health.count else { return nil }
        return Spread(zip(results.saturation, results.health).map { $1.throughput > 0 ? $0.throughput / $1.throughput : 0 })
    }

    private func p99(_ samples: [PhaseSample]) -> Spread {
        spread(samples) { Double($0.latencySummary.p99) }
    }

    // MARK: - The section

    func markdown() -> String {
        var lines: [String] = ["## End to end", "", method, "", "Command: `\(command)`", ""]
        lines += [
            "| Phase | Offered | Achieved | p50 | p90 | p99 | max | Errors | Step refusals | Outbox drained after |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for rate in options.rates {
            guard let samples = results.openLoop[rate] else { continue }
            lines.append(row("Open loop, command mix", "\(Format.count(rate)) req/s", samples))
        }
        lines.append(row("Saturation, command mix", "closed loop", results.saturation))
        lines.append(row("Saturation, `GET /healthz`", "closed loop", results.health))
        lines += ["", "| Measure | Value | Target |", "|---|---|---|"]
        for figure in figures { lines.append("| \(figure.measure) | \(figure.value) | \(figure.target) |") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per headline figure, `| End to end | measure | value | target |`, no header.
    func summaryRows() -> String {
        figures.filter(\.headline).map { "| End to end | \($0.measure) | \($0.value) | \($0.target) |" }
            .joined(separator: "\n") + "\n"
    }

    private var method: String {
        let seconds = String(format: "%g", options.seconds)
        let warmup = String(format: "%g", options.warmup)
        let grace = PhasePlan.defaultGraceSeconds
        let load = results.loadAverage.map { String(format: " (1-minute load average %.2f before the run)", $0) } ?? ""
        return """
            The release `vigil serve` runs on 127.0.0.1 with a fresh SQLite database (WAL, `durability: normal`), \
            logging at its default level to a file, its channels pointed at a webhook sink in `vigil-load` \
            that answers `200 ok` (so every post goes through the outbox and libcurl). Requests are Slack \
            slash commands as Slack sends them, signed before each phase, to `POST /slack/commands` over \
            \(options.connections) keep-alive HTTP/1.1 connections, one request in flight on each. The mix: \
            `open sev2 ato <title>`, then `ack`, `note`, `step … done freeze-payouts-sessions` and `resolve` on each incident \
            opened, in turn (one `open` in five while replies are quick); every reply is checked (200, \
            `in_channel`, the new `INC-` number). **Open loop**: requests fall due at fixed times at the \
            offered rate whatever the replies do, and latency runs from that intended time, so queueing \
            for a connection counts; requests still queued \(grace) s after the schedule ends count as \
            errors. **Saturation**: each connection sends again as soon as its reply arrives; `GET /healthz` \
            the same way is the framework's ceiling. Each phase: \(warmup) s warm-up, \(seconds) s measured, \
            then a wait for the outbox to drain; \(options.repetitions) repetitions, interleaved; medians \
            with (min–max). Start-up (spawn to the first 200 from `/readyz`, polled every 5 ms) and idle \
            memory (VmRSS 1 s later) come from \(options.repetitions) fresh starts; memory with \
            \(Format.count(options.incidents)) incidents is read once, after the phases and a fill with \
            `open` at saturation. Client, sink and server share \(ProcessInfo.processInfo.activeProcessorCount) \
            cores\(load). MB = 10^6 bytes.
            """
    }

    private func row(_ name: String, _ offered: String, _ samples: [PhaseSample]) -> String {
        guard !samples.isEmpty else { return "| \(name) | \(offered) | — | — | — | — | — | — | — | — |" }
        let achieved = Format.rate(spread(samples) { $0.throughput })
        let p50 = Format.latency(spread(samples) { Double($0.latencySummary.p50) })
        let p90 = Format.latency(spread(samples) { Double($0.latencySummary.p90) })
        let p99 = Format.latency(p99(samples))
        let max = Format.latency(spread(samples) { Double($0.latencySummary.max) })
        let measured = samples.reduce(0) { $0 + $1.latencies.count }
        let errors = samples.reduce(0) { $0 + $1.errors }
        let unsent = samples.reduce(0) { $0 + $1.unsent }
        let refusals = samples.reduce(0) { $0 + $1.refusals }
        let steps = samples.reduce(0) { $0 + $1.actions[MixAction.step.rawValue] }
        var errorText = "\(Format.count(errors)) of \(Format.count(measured))"
        if unsent > 0 { errorText += " (\(Format.count(unsent)) never sent)" }
        let isHealth = name.contains("healthz")
        let refusalText = isHealth ? "—" : "\(Format.count(refusals)) of \(Format.count(steps))"
        let drain = isHealth ? "—" : Format.latency(spread(samples) { Double($0.drainNanos) })
        return "| \(name) | \(offered) | \(achieved) | \(p50) | \(p90) | \(p99) | \(max) | \(errorText) | \(refusalText) | \(drain) |"
    }

    /// A row of the measures table; headline rows also go to the summary.
    private struct Figure {
        var measure: String
        var value: String
        var target = ""
        var headline = true
    }

    private var figures: [Figure] {
        var figures: [Figure] = []
        figures.append(Figure(measure: "Start-up, spawn to ready", value: Format.latency(ready)))
        let idle = idleMemory
        let idleAnonymous = Spread(results.idle.map { Double($0.anonymous) })
        figures.append(
            Figure(
                measure: "Idle memory (RSS)",
                value: "\(Format.megabytes(idle)), of which anonymous \(Format.megabytes(Int(idleAnonymous.median)))",
                target: Format.target("< 30 MB", met: idle.median < Self.idleMemoryTarget)))
        if let loaded = results.loaded {
            figures.append(
                Figure(
                    measure: "Memory with \(Format.count(results.incidents)) incidents (RSS, peak)",
                    value:
                        "\(Format.megabytes(loaded.current)) (anonymous \(Format.megabytes(loaded.anonymous))), peak \(Format.megabytes(loaded.peak))"
                ))
        }
        for rate in options.rates {
            guard let samples = results.openLoop[rate], !samples.isEmpty else { continue }
            let p99 = p99(samples)
            let target = rate == Self.p99TargetRate ? Format.target("< 5 ms", met: p99.median < Self.p99Target) : ""
            figures.append(Figure(measure: "p99 at \(Format.count(rate)) req/s", value: Format.latency(p99), target: target))
            let achieved = Spread(samples.map(\.throughput))
            if achieved.median < Double(rate) * 0.98 {
                figures.append(Figure(measure: "Achieved at \(Format.count(rate)) req/s offered", value: Format.rate(achieved)))
            }
        }
        if !results.saturation.isEmpty {
            figures.append(
                Figure(measure: "Saturation throughput, command mix", value: Format.rate(Spread(results.saturation.map(\.throughput)))))
            figures.append(
                Figure(measure: "p99 at saturation, command mix", value: Format.latency(p99(results.saturation)), headline: false))
        }
        if !results.health.isEmpty {
            figures.append(Figure(measure: "`GET /healthz` ceiling", value: Format.rate(Spread(results.health.map(\.throughput)))))
        }
        if let share = saturationShare {
            figures.append(
                Figure(
                    measure: "Saturation ÷ `/healthz` ceiling", value: Format.ratio(share),
                    target: Format.target("≥ 0.5", met: share.median >= Self.saturationShareTarget)))
        }
        if results.fillNanos > 0 {
            let rate = Double(results.fillOpens) / (Double(results.fillNanos) / 1e9)
            figures.append(
                Figure(
                    measure: "Fill to \(Format.count(options.incidents)) incidents, `open` only at saturation",
                    value:
                        "\(Format.count(results.fillOpens)) opened in \(String(format: "%.1f", Double(results.fillNanos) / 1e9)) s, \(Format.count(Int(rate))) req/s",
                    headline: false))
        }
        let errors = (results.openLoop.values.joined() + results.saturation + results.health).reduce(0) { $0 + $1.errors }
        figures.append(Figure(measure: "Errors, all measured phases", value: Format.count(errors), headline: false))
        figures.append(
            Figure(
                measure: "Channel posts delivered to the webhook sink (load phases)", value: Format.count(results.webhookPosts),
                headline: false))
        if let server = results.serverCPU, let client = results.clientCPU {
            figures.append(
                Figure(
                    measure: "CPU used over the run",
                    value: String(format: "vigil %.0f s, vigil-load %.0f s, in %.0f s", server, client, results.totalSeconds),
                    headline: false))
        }
        figures.append(Figure(measure: "Errors in Vigil's log", value: Format.count(results.serverErrors), headline: false))
        return figures
    }
}
