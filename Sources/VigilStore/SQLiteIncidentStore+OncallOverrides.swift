import Foundation
import VigilCore

// MARK: - On-call overrides

/// Each write is one unit of the writer's group, in its own savepoint; reads go to a reader.
extension SQLiteIncidentStore {
    public func recordOncallOverride(_ new: NewOncallOverride) async throws -> StoredOncallOverride {
        try await perform("record on-call override") { database in
            try database.transaction {
                if let requestID = new.requestID,
                    let earlier = try database.queryFirst(OncallOverrideRows.byRequest, [.text(requestID)], row: OncallOverrideRows.decode)
                {
                    return earlier
                }
                try database.run(OncallOverrideRows.insert, OncallOverrideRows.insertValues(new))
                let id = database.lastInsertRowID
                guard let stored = try database.queryFirst(OncallOverrideRows.byID, [.integer(id)], row: OncallOverrideRows.decode) else {
                    throw StoreError(.failure, "on-call override \(id) vanished as it was written")
                }
                return stored
            }
        }
    }

    public func oncallOverride(id: Int64) async throws -> StoredOncallOverride? {
        try await reading("on-call override") { database in
            try database.queryFirst(OncallOverrideRows.byID, [.integer(id)], row: OncallOverrideRows.decode)
        }
    }

    public func oncallOverrides(activeAfter date: Date) async throws -> [StoredOncallOverride] {
        try await reading("on-call overrides") { database in
            try database.query(OncallOverrideRows.live, [.integer(StoreTime.milliseconds(date))], row: OncallOverrideRows.decode)
        }
    }

    public func approveOncallOverride(id: Int64, by user: UserRef, at date: Date) async throws -> Bool {
        try await stamp("approve on-call override", OncallOverrideRows.approve, id: id, by: user, at: date)
    }

    public func cancelOncallOverride(id: Int64, by user: UserRef, at date: Date) async throws -> Bool {
        try await stamp("cancel on-call override", OncallOverrideRows.cancel, id: id, by: user, at: date)
    }

    /// Runs a conditional `UPDATE`; whether it changed the row.
    private func stamp(_ label: String, _ sql: String, id: Int64, by user: UserRef, at date: Date) async throws -> Bool {
        try await perform(label) { database in
            try database.transaction {
                try database.run(sql, OncallOverrideRows.stampValues(id: id, by: user, at: date))
                return database.changes == 1
            }
        }
    }
}
