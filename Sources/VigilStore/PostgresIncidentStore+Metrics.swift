import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - Metrics

/// `GET /metrics`'s reads, in one read-only transaction, with the SQLite store's statements.
extension PostgresIncidentStore: MetricsReads {
    public func metricsCounts() async throws -> StoreMetricsCounts {
        let logger = logger
        return try await reading("metrics") { connection in
            StoreMetricsCounts(
                incidents: try await connection.rows(MetricsQueries.incidents, logger: logger, MetricsQueries.incident).compactMap { $0 },
                clocks: try await connection.rows(MetricsQueries.clocks, logger: logger, MetricsQueries.clock).compactMap { $0 })
        }
    }
}
