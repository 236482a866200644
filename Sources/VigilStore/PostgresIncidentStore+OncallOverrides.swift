import Foundation
import Logging
import PostgresNIO
import VigilCore

// MARK: - On-call overrides

/// As on SQLite; a retry of a request whose first try committed meets the unique `request_id`
/// (a retryable error), and the re-run returns the override that try made.
extension PostgresIncidentStore: OncallOverrideStore {
    public func recordOncallOverride(_ new: NewOncallOverride) async throws -> StoredOncallOverride {
        let logger = logger
        return try await writing("record on-call override") { connection in
            if let requestID = new.requestID,
                let earlier = try await connection.rows(
                    OncallOverrideRows.byRequest, [.text(requestID)], logger: logger, OncallOverrideRows.decode
                )
                .first
            {
                return (earlier, false)
            }
            let sql = OncallOverrideRows.insert + " RETURNING " + OncallOverrideRows.columns.joined(separator: ", ")
            guard
                let stored = try await connection.rows(sql, OncallOverrideRows.insertValues(new), logger: logger, OncallOverrideRows.decode)
                    .first
            else { throw StoreError(.failure, "writing an on-call override returned no row") }
            return (stored, true)
        }
    }

    public func oncallOverride(id: Int64) async throws -> StoredOncallOverride? {
        let logger = logger
        return try await reading("on-call override") { connection in
            try await connection.rows(OncallOverrideRows.byID, [.integer(id)], logger: logger, OncallOverrideRows.decode).first
        }
    }

    public func oncallOverrides(activeAfter date: Date) async throws -> [StoredOncallOverride] {
        let logger = logger
        return try await reading("on-call overrides") { connection in
            try await connection.rows(
                OncallOverrideRows.live, [.integer(StoreTime.milliseconds(date))], logger: logger, OncallOverrideRows.decode)
        }
    }

    public func approveOncallOverride(id: Int64, by user: UserRef, at date: Date) async throws -> Bool {
        try await stamp("approve on-call override", OncallOverrideRows.approve, id: id, by: user, at: date)
    }

    public func cancelOncallOverride(id: Int64, by user: UserRef, at date: Date) async throws -> Bool {
        try await stamp("cancel on-call override", OncallOverrideRows.cancel, id: id, by: user, at: date)
    }

    private func stamp(_ label: String, _ sql: String, id: Int64, by user: UserRef, at date: Date) async throws -> Bool {
        let logger = logger
        return try await writing(label) { connection in
            let changed = try await connection.rows(
                sql + " RETURNING 1", OncallOverrideRows.stampValues(id: id, by: user, at: date), logger: logger)
            return (!changed.isEmpty, true)
        }
    }
}
