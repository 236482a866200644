import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - Status

/// `vigil status`'s reads, in one read-only transaction, with the SQLite store's statements.
extension PostgresIncidentStore: StatusReads {
    public func storeStatus(now: Date, deadLetterLimit: Int) async throws -> StoreStatus {
        let logger = logger
        return try await reading("status") { connection in
            let (breachedSQL, breachedBindings) = StatusQueries.breached(now: now)
            let (nextSQL, nextBindings) = StatusQueries.nextClock(now: now)
            return StoreStatus(
                schemaVersion: try await connection.rows(StatusQueries.schemaVersion, logger: logger).first.map {
                    StatusQueries.count($0, 0)
                }
                    ?? 0,
                outbox: try await connection.rows(StatusQueries.outboxByChannel, logger: logger, StatusQueries.channel),
                oldestPending: try await connection.rows(StatusQueries.oldestPending, logger: logger).first?.int64(0).map(StoreTime.date),
                deadLetters: try await connection.rows(
                    StatusQueries.deadLetters, [SQLiteValue(deadLetterLimit)], logger: logger, StatusQueries.deadLetter),
                incidents: StatusQueries.incidents(
                    try await connection.rows(StatusQueries.incidentsByState, logger: logger, StatusQueries.incidentCount).compactMap { $0 }
                ),
                breached: try await connection.rows(breachedSQL, breachedBindings, logger: logger).first.map { StatusQueries.count($0, 0) }
                    ?? 0,
                nextClock: try await connection.rows(nextSQL, nextBindings, logger: logger).first.flatMap(StatusQueries.nextClock))
        }
    }
}
