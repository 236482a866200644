import Foundation
import Testing
import VigilCore

@testable import VigilStore

@Suite("Store contract: metrics counts")
struct MetricsReadsContractTests {
    @Test(
        "unresolved incidents by severity, category and state, and their clocks by kind and state",
        arguments: StoreKind.allCases)
    func countsAreGroupedAndLeaveResolvedIncidentsOut(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.metricsCounts() == StoreMetricsCounts(incidents: [], clocks: []))
            for (number, category, state) in [(1, "fraud", IncidentState.open), (2, "fraud", .open), (3, "fraud", .resolved)] {
                var work = openWork(number, category: category)
                work.incident?.state = state
                work.clocks = [clock(number, "ack", .ack, due: 300), clock(number, "resolve", .resolve, due: 3600, state: .met)]
                try await store.commit(work)
            }
            var work = openWork(4, category: "moderation")
            work.incident?.state = .acknowledged
            try await store.commit(work)

            let counts = try await store.metricsCounts()
            let incidents = counts.incidents.sorted { ($0.category, $0.state.rawValue) < ($1.category, $1.state.rawValue) }
            #expect(
                incidents == [
                    StoreMetricsCounts.Incidents(severity: "sev2", category: "fraud", state: .open, count: 2),
                    StoreMetricsCounts.Incidents(severity: "sev2", category: "moderation", state: .acknowledged, count: 1),
                ])
            let clocks = counts.clocks.sorted { $0.kind.rawValue < $1.kind.rawValue }
            #expect(
                clocks == [
                    StoreMetricsCounts.Clocks(kind: .ack, state: .running, count: 2),
                    StoreMetricsCounts.Clocks(kind: .resolve, state: .met, count: 2),
                ])
        }
    }
}
