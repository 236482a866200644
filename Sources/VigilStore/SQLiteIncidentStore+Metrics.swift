import Foundation
import VigilCore

// MARK: - Metrics

/// `GET /metrics`'s reads, on one reader's snapshot.
extension SQLiteIncidentStore {
    public func metricsCounts() async throws -> StoreMetricsCounts {
        try await reading("metrics") { database in
            StoreMetricsCounts(
                incidents: try database.query(MetricsQueries.incidents, row: MetricsQueries.incident).compactMap { $0 },
                clocks: try database.query(MetricsQueries.clocks, row: MetricsQueries.clock).compactMap { $0 })
        }
    }
}
