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
    /// `open` at saturation: Vigil over the slack-bolt peer, and over the `/healthz` ceiling.
    static let peerRatioTarget = 7.5
    static let openShareTarget = 0.5
    /// p99 of the mix at 1,000 req/s with the year-long report looping, over without it.
    static let reportRatioTarget = 2.0

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

    /// `a` over `b`, repetition by repetition (they ran side by side); nil unless both ran as
    /// often (a phase left out with `--phases`, or a run that stopped early).
    private func ratio(_ a: [PhaseSample], _ b: [PhaseSample], _ value: (PhaseSample) -> Double) -> Spread? {
        guard !a.isEmpty, a.count == b.count else { return nil }
        return Spread(zip(a, b).map { value($1) > 0 ? value($0) / value($1) : 0 })
    }

    private var peerRatio: Spread? { ratio(results.openOnly, results.peerOpenOnly, \.throughput) }
    private var openShare: Spread? { ratio(results.openOnly, results.health, \.throughput) }
    private var reportRatio: Spread? {
        ratio(results.reportLoaded, results.reportBaseline) { Double($0.latencySummary.p99) }
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
        let rows: [(String, String, [PhaseSample], Row)] = [
            ("Saturation, command mix", "closed loop", results.saturation, .vigil),
            ("Saturation, `open` only, Vigil", "closed loop", results.openOnly, .openOnly),
            ("Saturation, `open` only, slack-bolt peer", "closed loop", results.peerOpenOnly, .peer),
            ("Saturation, `GET /healthz`", "closed loop", results.health, .health),
            (
                "Open loop, command mix, \(Format.count(results.reportIncidents)) incidents", "\(Format.count(Self.p99TargetRate)) req/s",
                results.reportBaseline, .vigil
            ),
            (
                "The same, `\(ReportLoop.text)` looping beside it", "\(Format.count(Self.p99TargetRate)) req/s", results.reportLoaded,
                .vigil
            ),
        ]
        for (name, offered, samples, kind) in rows where !samples.isEmpty {
            lines.append(row(name, offered, samples, kind))
        }
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
            with (min–max). \(peerMethod)\(reportMethod)Start-up (spawn to the first 200 from `/readyz`, polled every 5 ms) and idle \
            memory (VmRSS 1 s later) come from \(options.repetitions) fresh starts\(memoryMethod). Client, sink and server share \(ProcessInfo.processInfo.activeProcessorCount) \
            cores\(load). MB = 10^6 bytes.
            """
    }

    /// When memory with `--incidents` was read, if it was.
    private var memoryMethod: String {
        guard results.loaded != nil else { return "" }
        return "; memory with \(Format.count(options.incidents)) incidents is read once, after the phases and a fill with `open` at saturation"
    }

    /// **`open` only**: the same signed `open` requests, each a new incident, closed loop, on
    /// the same connections, against Vigil and against the peer.
    private var peerMethod: String {
        guard !results.openOnly.isEmpty || !results.peerOpenOnly.isEmpty else { return "" }
        let text = "**`open` only**: distinct signed `open` requests alone, closed loop, on as many connections. "
        guard !results.peerOpenOnly.isEmpty else { return text }
        return text + """
            The **slack-bolt peer** (`Benchmarks/peer/app.py`, what a team would write instead) gets the same \
            requests: a slack-bolt app through bolt's WSGI adapter under gunicorn (\(Self.peerVersions)), \
            \(PeerUnderTest.workers) sync workers, on 127.0.0.1. It verifies the signature, parses `open sevN <category> <title>`, and in \
            one SQLite transaction (WAL, `synchronous=NORMAL`, busy timeout) checks and writes the idempotency \
            row keyed by `trigger_id`, takes the next number and inserts the incident and its event, then \
            answers `INC-n opened` in channel. It starts once per run with an empty database in a temporary \
            directory. gunicorn's sync workers close the connection after each reply, so `vigil-load` opens a \
            new one for the next request: the connect is in the peer's throughput, not in its latency. The \
            ratios divide phases of the same repetition.
            """ + " "
    }

    /// The pinned versions, as Benchmarks/peer/requirements.txt has them.
    static var peerVersions: String {
        let file = LoadOptions.peerApp.appendingPathComponent("requirements.txt")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return "" }
        let pins = text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("==") }
        return pins.map { "`\($0.trimmingCharacters(in: .whitespaces))`" }.joined(separator: ", ")
    }

    /// **Report**: after the fill, the mix at 1,000 req/s alone and with the year-long report.
    private var reportMethod: String {
        guard !results.reportLoaded.isEmpty else { return "" }
        return """
            **Report**: after the fill, and a wait of up to \(LoadRun.fillDrainLimit.nanoseconds / 1_000_000_000) s for the \
            outbox to post what the fill left it, with \(Format.count(results.reportIncidents)) incidents: the command mix at \
            \(Format.count(Self.p99TargetRate)) req/s open loop, alone and while one more connection sends \
            `/incident \(ReportLoop.text)` (each signed anew), the next as soon as the last is answered, for the whole \
            phase; the two take turns going first, and the ratio divides the two p99s of each repetition.
            """ + " "
    }

    /// What a row of the phase table shows besides its latencies.
    private enum Row {
        /// The mix against Vigil: step refusals and the outbox's drain.
        case vigil
        /// `open` alone against Vigil: the drain, no steps.
        case openOnly
        /// `open` alone against the peer, or health checks: neither.
        case peer, health
    }

    private func row(_ name: String, _ offered: String, _ samples: [PhaseSample], _ kind: Row = .vigil) -> String {
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
        let refusalText = kind == .vigil ? "\(Format.count(refusals)) of \(Format.count(steps))" : "—"
        let drain = kind == .vigil || kind == .openOnly ? Format.latency(spread(samples) { Double($0.drainNanos) }) : "—"
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
        if !results.openOnly.isEmpty {
            figures.append(
                Figure(measure: "`open` only at saturation, Vigil", value: Format.rate(Spread(results.openOnly.map(\.throughput)))))
            figures.append(
                Figure(measure: "p99 at saturation, `open` only, Vigil", value: Format.latency(p99(results.openOnly)), headline: false))
        }
        if !results.peerOpenOnly.isEmpty {
            figures.append(
                Figure(
                    measure: "`open` only at saturation, slack-bolt peer",
                    value: Format.rate(Spread(results.peerOpenOnly.map(\.throughput)))))
            figures.append(
                Figure(
                    measure: "p99 at saturation, `open` only, slack-bolt peer", value: Format.latency(p99(results.peerOpenOnly)),
                    headline: false))
        }
        if let ratio = peerRatio {
            figures.append(
                Figure(
                    measure: "`open` at saturation, Vigil ÷ slack-bolt peer", value: Format.ratio(ratio),
                    target: Format.target("≥ 7.5", met: ratio.median >= Self.peerRatioTarget)))
        }
        if let share = openShare {
            figures.append(
                Figure(
                    measure: "`open` at saturation, Vigil ÷ `/healthz` ceiling", value: Format.ratio(share),
                    target: Format.target("≥ 0.5", met: share.median >= Self.openShareTarget)))
        }
        if !results.reportLoaded.isEmpty {
            let rate = Format.count(Self.p99TargetRate)
            let incidents = Format.count(results.reportIncidents)
            figures.append(
                Figure(
                    measure: "p99 at \(rate) req/s, \(incidents) incidents, no report", value: Format.latency(p99(results.reportBaseline)),
                    headline: false))
            figures.append(
                Figure(
                    measure: "p99 at \(rate) req/s, \(incidents) incidents, `\(ReportLoop.text)` looping",
                    value: Format.latency(p99(results.reportLoaded))))
            if let ratio = reportRatio {
                // A mix that cannot keep up with the rate even alone has a p99 as long as the phase
                // (requests queue until it ends), with or without the report: the ratio then says
                // nothing, and cannot meet the target.
                let keptUp = Spread(results.reportBaseline.map(\.throughput)).median >= Double(Self.p99TargetRate) * 0.98
                let target =
                    keptUp
                    ? Format.target("< 2×", met: ratio.median < Self.reportRatioTarget)
                    : "< 2×: **missed** (the mix alone did not keep up with \(rate) req/s)"
                figures.append(
                    Figure(measure: "p99 at \(rate) req/s with the report looping ÷ without", value: Format.ratio(ratio), target: target))
            }
            // At a rate it cannot sustain, the p99 of both is the phase's length: what the report
            // then costs shows in what the mix still gets through.
            let alone = Spread(results.reportBaseline.map(\.throughput))
            let beside = Spread(results.reportLoaded.map(\.throughput))
            figures.append(
                Figure(
                    measure: "Achieved at \(rate) req/s, \(incidents) incidents: alone, and with the report looping",
                    value: "\(Format.rate(alone)); \(Format.rate(beside))", headline: false))
            let reports = results.reportLoops
            let answered = reports.map { Double($0.latencies.count) }
            let medians = reports.filter { !$0.latencies.isEmpty }.map { loop -> Double in
                let sorted = loop.latencies.sorted()
                return Double(sorted[sorted.count / 2])
            }
            var value = "\(Format.count(Int(Spread(answered).median))) per phase"
            if !medians.isEmpty { value += ", median \(Format.latency(Spread(medians)))" }
            if let covered = reports.map(\.incidentsCovered).max() { value += ", each over \(Format.count(covered)) incidents" }
            let errors = reports.reduce(0) { $0 + $1.errors }
            if errors > 0 { value += ", \(Format.count(errors)) errors" }
            figures.append(Figure(measure: "`\(ReportLoop.text)` answered beside the mix", value: value, headline: false))
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
        if let drained = results.fillDrainNanos {
            let limit = LoadRun.fillDrainLimit.nanoseconds
            let value = drained >= limit - 1_000_000_000 ? "still posting after \(Format.latency(limit))" : Format.latency(drained)
            figures.append(Figure(measure: "Outbox drained after the fill", value: value, headline: false))
        }
        let measured =
            Array(results.openLoop.values.joined()) + results.saturation + results.health + results.openOnly + results.peerOpenOnly
            + results.reportBaseline + results.reportLoaded
        let errors = measured.reduce(0) { $0 + $1.errors }
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
        if let peerErrors = results.peerErrors {
            figures.append(Figure(measure: "Errors in the peer's log", value: Format.count(peerErrors), headline: false))
        }
        return figures
    }
}
