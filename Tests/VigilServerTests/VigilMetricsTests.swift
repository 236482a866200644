import Foundation
import Synchronization
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// The scrape-time gauges: set from the store, zeroed when the store stops reporting a series,
/// and the next deadline absent when none runs.
@Suite struct VigilMetricsTests {
    /// A store whose status and counts the test sets.
    final class Reads: StatusReads, MetricsReads {
        let state = Mutex<(StoreStatus, StoreMetricsCounts)>(
            (
                StoreStatus(
                    schemaVersion: 1, outbox: [], oldestPending: nil, deadLetters: [], incidents: [:], breached: 0, nextClock: nil),
                StoreMetricsCounts(incidents: [], clocks: [])
            ))

        func storeStatus(now: Date, deadLetterLimit: Int) async throws -> StoreStatus { state.withLock { $0.0 } }
        func metricsCounts() async throws -> StoreMetricsCounts { state.withLock { $0.1 } }
    }

    func scrape(_ metrics: VigilMetrics, _ reads: Reads) async throws -> PrometheusExposition {
        try await metrics.refresh(from: reads, now: Fixtures.t0)
        return try PrometheusExposition.parse(String(decoding: metrics.exposition(), as: UTF8.self))
    }

    @Test func aSeriesTheStoreNoLongerReportsReadsZeroAndTheNextDeadlineGoesWhenNoneRuns() async throws {
        let metrics = VigilMetrics()
        let reads = Reads()
        reads.state.withLock {
            $0.0.outbox = [StoreStatus.Channel(channel: "oncall", pending: 3, retrying: 1, deadLettered: 2)]
            $0.0.nextClock = StoreStatus.NextClock(incident: 1, name: "ack", dueAt: Fixtures.t0.addingTimeInterval(90))
            $0.1.incidents = [StoreMetricsCounts.Incidents(severity: "sev1", category: "fraud", state: .open, count: 2)]
        }
        var exposition = try await scrape(metrics, reads)
        #expect(exposition.samples(named: "vigil_incidents_open").map(\.value) == [2])
        #expect(exposition.samples(named: "vigil_next_deadline_seconds").map(\.value) == [90])
        let dead = exposition.samples(named: "vigil_outbox_rows").first { $0.labels == ["channel": "oncall", "state": "dead"] }
        #expect(dead?.value == 2)

        reads.state.withLock {
            $0.0.outbox = []
            $0.0.nextClock = nil
            $0.1.incidents = []
        }
        exposition = try await scrape(metrics, reads)
        #expect(exposition.samples(named: "vigil_incidents_open").map(\.value) == [0])
        #expect(exposition.samples(named: "vigil_outbox_rows").allSatisfy { $0.value == 0 })
        #expect(exposition.samples(named: "vigil_next_deadline_seconds").isEmpty)
    }
}
