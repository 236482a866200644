/// What a phase sends and how it is paced.
enum PhaseKind: Sendable, Equatable {
    /// The command mix on a fixed schedule of `rate` requests per second, whatever the replies do.
    case openLoop(rate: Int)
    /// The command mix, each connection sending its next request as soon as its reply arrives.
    case closedLoop
    /// `GET /healthz` closed-loop: what the HTTP framework alone can answer on this machine.
    case health
    /// Only `open`, each on a new incident, closed-loop: the peer is measured on this alone.
    case openOnly
    /// Only `open`, closed-loop, until this many have been sent (the fill to 100,000 incidents).
    case fill(opens: Int)

    var isClosedLoop: Bool { self == .closedLoop || self == .health || self == .openOnly }
}

/// One phase to run: its kind, a warm-up whose replies are not recorded, and the measured part.
struct PhasePlan: Sendable {
    var kind: PhaseKind
    var warmupNanos: UInt64
    var measureNanos: UInt64
    /// Open loop: how long requests still queued when the schedule ends may wait for a
    /// connection before they are given up (and counted as errors). Closed loop: how long
    /// replies may take after the end before the phase is abandoned.
    var graceNanos = UInt64(defaultGraceSeconds) * 1_000_000_000
    static let defaultGraceSeconds = 1
    /// Seeds the mix's choices; each phase and repetition gets its own, fixed one.
    var seed: UInt64
}

/// The raw figures of one phase run, from which the report takes medians.
struct PhaseSample: Sendable {
    /// Latency of every measured request, in nanoseconds. Open loop: from the intended send time
    /// to the reply; closed loop: from the send to the reply.
    var latencies: [UInt64] = []
    /// Replies (to any request) that arrived within the measured window, and the window's length.
    var completedInWindow = 0
    var windowNanos: UInt64 = 0
    /// Measured requests that got a non-200, a malformed reply or an unexpected refusal, or none.
    var errors = 0
    /// Measured `step … done` commands that Vigil refused with a reason (valid replies).
    var refusals = 0
    /// Open loop: measured requests still waiting for a connection when the grace ran out.
    var unsent = 0
    /// Measured requests by ``MixAction``.
    var actions = [Int](repeating: 0, count: MixAction.allCases.count)
    /// Incidents this phase opened, warm-up included.
    var opened = 0
    /// The first few error descriptions, for stderr.
    var errorSamples: [String] = []
    /// Requests the pre-signed pool did not have (signed during the phase).
    var signedLate = 0
    /// How long after the phase's end Vigil's outbox went on posting what it had written.
    var drainNanos: UInt64 = 0

    var throughput: Double {
        windowNanos == 0 ? 0 : Double(completedInWindow) / (Double(windowNanos) / 1e9)
    }

    /// Nearest-rank percentile of the latencies, in nanoseconds.
    func percentile(_ p: Double, sorted: [UInt64]) -> UInt64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// p50, p90, p99 and max, in nanoseconds.
    var latencySummary: (p50: UInt64, p90: UInt64, p99: UInt64, max: UInt64) {
        let sorted = latencies.sorted()
        return (
            percentile(50, sorted: sorted), percentile(90, sorted: sorted), percentile(99, sorted: sorted),
            sorted.last ?? 0
        )
    }
}

/// What the `report 365d` loop beside a phase did: one request after another on a connection of
/// its own, for the whole phase (warm-up included, so the measured window never sees it idle).
struct ReportLoopSample: Sendable {
    /// Latency of each report answered, send to reply, in nanoseconds.
    var latencies: [UInt64] = []
    /// Replies that were not a report (a non-200, not Slack's JSON, no "Incident report").
    var errors = 0
    /// Incidents the last report counted as opened in its period ("Opened N").
    var incidentsCovered = 0
    var errorSamples: [String] = []
}
