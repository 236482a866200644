import CoreMetrics
import Foundation
import Prometheus
import Synchronization
import VigilCore
import VigilStore

/// Vigil's metrics for `GET /metrics`: recorded through swift-metrics' types, made by a
/// Prometheus factory over this object's own registry. One per app, never the process-wide
/// `MetricsSystem`: tests run several apps in one process, and each must see only its own series.
///
/// Every label value is bounded: a subcommand, an outcome, a route pattern, a severity, a
/// category, a state, a clock kind, a channel name from config. Never an incident, a title or a
/// user. The README's `## Metrics` lists each series.
public final class VigilMetrics: Sendable {
    /// What was recorded, in the Prometheus text format by ``exposition()``.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// Gauge series a scrape has set, so that the next scrape zeroes those the store no longer
    /// reports (an incident resolved, a channel drained) instead of leaving a stale value.
    private let scraped = Mutex<[String: Set<Labels>]>([:])

    /// Label pairs, as a hashable key for ``scraped``.
    struct Labels: Hashable, Sendable {
        var pairs: [String]
        init(_ dimensions: [(String, String)]) { pairs = dimensions.flatMap { [$0.0, $0.1] } }
        var dimensions: [(String, String)] { stride(from: 0, to: pairs.count, by: 2).map { (pairs[$0], pairs[$0 + 1]) } }
    }

    /// The content type of ``exposition()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // Seconds from a millisecond to an hour: commands and posts take milliseconds, a
        // scheduler that slept through a pause may be minutes late.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
            .seconds(60), .seconds(300), .seconds(3600),
        ]
        factory.valueHistogramBuckets[Name.groupSize] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        self.factory = factory
    }

    /// The series' names, for the README and the tests.
    public enum Name {
        public static let commands = "vigil_commands_total"
        public static let requestDuration = "vigil_http_request_duration_seconds"
        public static let incidents = "vigil_incidents_open"
        public static let clocks = "vigil_clocks"
        public static let breached = "vigil_incidents_breached"
        public static let nextDeadline = "vigil_next_deadline_seconds"
        public static let outbox = "vigil_outbox_rows"
        public static let deliveryDuration = "vigil_delivery_duration_seconds"
        public static let schedulerLateness = "vigil_scheduler_lateness_seconds"
        public static let transactionDuration = "vigil_store_transaction_duration_seconds"
        public static let groupSize = "vigil_store_group_size"
    }

    // MARK: - Events

    /// How a command ended: written, refused (by the parser, a role or the core), a repeat of a
    /// request already answered, or a store failure.
    public enum CommandOutcome: String, Sendable, CaseIterable {
        case applied, refused, repeated, error
    }

    /// One command; `subcommand` is `nil` when the text named none Vigil knows.
    public func command(_ subcommand: Subcommand?, outcome: CommandOutcome) {
        Counter(
            label: Name.commands, dimensions: [("subcommand", subcommand?.rawValue ?? "unknown"), ("outcome", outcome.rawValue)],
            factory: factory
        ).increment()
    }

    /// One HTTP request, by the route pattern it matched (`unknown` for none).
    public func request(endpoint: String, method: String, status: Int, duration: Duration) {
        CoreMetrics.Timer(
            label: Name.requestDuration, dimensions: [("endpoint", endpoint), ("method", method), ("status", String(status))],
            factory: factory
        ).recordNanoseconds(duration.nanoseconds)
    }

    /// One delivery attempt of an outbox row, by the row's kind (`channel`, `reply`, `page`,
    /// `redaction`, `room`) and how it went.
    public func delivery(kind: String, outcome: String, duration: Duration) {
        CoreMetrics.Timer(label: Name.deliveryDuration, dimensions: [("kind", kind), ("outcome", outcome)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// How long after its fire time the scheduler claimed a clock.
    public func schedulerLateness(_ lateness: TimeInterval) {
        CoreMetrics.Timer(label: Name.schedulerLateness, dimensions: [], factory: factory)
            .recordNanoseconds(Int64(max(0, lateness) * 1_000_000_000))
    }

    /// One store transaction: its units of work and how long it took from `BEGIN` to `COMMIT`.
    public func storeTransaction(size: Int, nanoseconds: UInt64) {
        CoreMetrics.Timer(label: Name.transactionDuration, dimensions: [], factory: factory)
            .recordNanoseconds(Int64(clamping: nanoseconds))
        Recorder(label: Name.groupSize, dimensions: [], aggregate: true, factory: factory).record(size)
    }

    /// The SQLite store's seam for ``storeTransaction(size:nanoseconds:)``. (PostgreSQL commits
    /// each unit on its own and reports none.)
    public var storeHooks: StoreHooks {
        StoreHooks(groupFinished: { [self] size, nanoseconds in storeTransaction(size: size, nanoseconds: nanoseconds) })
    }

    // MARK: - Scrape

    /// Sets the store's gauges from one status read and one metrics read, as they stand at `now`.
    public func refresh(from store: any StatusReads & MetricsReads, now: Date) async throws {
        let status = try await store.storeStatus(now: now, deadLetterLimit: 0)
        let counts = try await store.metricsCounts()
        var incidents: [Labels: Int] = [:]
        for group in counts.incidents {
            let labels = Labels([("severity", group.severity), ("category", group.category), ("state", group.state.rawValue)])
            incidents[labels, default: 0] += group.count
        }
        set(Name.incidents, incidents)
        var clocks: [Labels: Int] = [:]
        for group in counts.clocks {
            clocks[Labels([("kind", group.kind.rawValue), ("state", group.state.rawValue)]), default: 0] += group.count
        }
        set(Name.clocks, clocks)
        var outbox: [Labels: Int] = [:]
        for channel in status.outbox {
            outbox[Labels([("channel", channel.channel), ("state", "pending")])] = channel.pending
            outbox[Labels([("channel", channel.channel), ("state", "retrying")])] = channel.retrying
            outbox[Labels([("channel", channel.channel), ("state", "dead")])] = channel.deadLettered
        }
        set(Name.outbox, outbox)
        set(Name.breached, [Labels([]): status.breached])
        // No running deadline: the series goes, rather than a value that reads as "due now".
        let next = Gauge(label: Name.nextDeadline, dimensions: [], factory: factory)
        if let due = status.nextClock?.dueAt {
            next.record(due.timeIntervalSince(now))
        } else {
            next.destroy()
        }
    }

    /// Sets `name`'s series to `values`, and to zero those set before and absent now.
    private func set(_ name: String, _ values: [Labels: Int]) {
        let stale = scraped.withLock { seen in
            let stale = (seen[name] ?? []).subtracting(values.keys)
            seen[name, default: []].formUnion(values.keys)
            return stale
        }
        for (labels, value) in values {
            Gauge(label: name, dimensions: labels.dimensions, factory: factory).record(value)
        }
        for labels in stale {
            Gauge(label: name, dimensions: labels.dimensions, factory: factory).record(0)
        }
    }

    /// Everything recorded, in the Prometheus text format (version 0.0.4).
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension DeliveryAttempt {
    /// The attempt's outcome as a metric label.
    var metricOutcome: String {
        switch self {
        case .delivered: "delivered"
        case .dropped: "dropped"
        case .rateLimited: "rate_limited"
        case .failed(_, let retryable): retryable ? "failed_retryable" : "failed"
        }
    }
}
