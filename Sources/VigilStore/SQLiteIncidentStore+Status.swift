import Foundation
import VigilCore

// MARK: - Status

/// `vigil status`'s reads, on one reader's snapshot.
extension SQLiteIncidentStore {
    public func storeStatus(now: Date, deadLetterLimit: Int) async throws -> StoreStatus {
        try await reading("status") { database in
            let (breachedSQL, breachedBindings) = StatusQueries.breached(now: now)
            let (nextSQL, nextBindings) = StatusQueries.nextClock(now: now)
            return StoreStatus(
                schemaVersion: try database.queryFirst(StatusQueries.schemaVersion) { StatusQueries.count($0, 0) } ?? 0,
                outbox: try database.query(StatusQueries.outboxByChannel, row: StatusQueries.channel),
                oldestPending: try database.queryFirst(StatusQueries.oldestPending) { $0.int64(0).map(StoreTime.date) } ?? nil,
                deadLetters: try database.query(StatusQueries.deadLetters, [SQLiteValue(deadLetterLimit)], row: StatusQueries.deadLetter),
                incidents: StatusQueries.incidents(
                    try database.query(StatusQueries.incidentsByState, row: StatusQueries.incidentCount).compactMap { $0 }),
                breached: try database.queryFirst(breachedSQL, breachedBindings) { StatusQueries.count($0, 0) } ?? 0,
                nextClock: try database.queryFirst(nextSQL, nextBindings, row: StatusQueries.nextClock) ?? nil)
        }
    }
}
