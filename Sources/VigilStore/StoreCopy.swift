import Foundation
import VigilCore

/// One table as `vigil db copy` moves it: every column, in an order both adapters share, read
/// in pages by its primary key.
struct CopyTable: Sendable {
    let name: String
    let columns: [String]
    /// The primary key's columns, a prefix of `columns`: pages are read after the last key.
    let key: [String]

    /// Every table, parents before the rows that reference them. Leases (`claimed_by`,
    /// `lease_until_ms`) are not copied: they belonged to processes of the old store, and would
    /// only hold rows back until they ran out.
    static let all: [CopyTable] = [
        CopyTable(name: "incidents", columns: StoreRows.incidentColumns, key: ["number"]),
        CopyTable(name: "events", columns: StoreRows.eventColumns, key: ["incident", "sequence"]),
        CopyTable(name: "clocks", columns: StoreRows.clockColumns + ["severity", "category"], key: ["incident", "name"]),
        CopyTable(
            name: "outbox",
            columns: [
                "id", "channel", "incident", "message", "created_at_ms", "state", "attempts", "next_attempt_at_ms", "last_error",
                "delivered_at_ms", "dead_at_ms", "priority", "coalesced_into", "destination",
            ], key: ["id"]),
        CopyTable(name: "idempotency", columns: ["request_id", "reply", "created_at_ms", "sender", "request_hash"], key: ["request_id"]),
        CopyTable(name: "once_keys", columns: ["key", "created_at_ms"], key: ["key"]),
        CopyTable(name: "counters", columns: ["name", "value"], key: ["name"]),
        CopyTable(name: "oncall_overrides", columns: OncallOverrideRows.columns + ["request_id"], key: ["id"]),
        // The row id is the target's own: posts are read in time order.
        CopyTable(
            name: "chat_posts", columns: ["incident", "platform", "channel", "post_id", "created_at_ms"],
            key: ["platform", "channel", "post_id"]),
        CopyTable(name: "incident_rooms", columns: IncidentRoomRows.columns, key: ["platform", "channel"]),
        CopyTable(name: "intake_keys", columns: ["key", "incident", "created_at_ms", "updated_at_ms"], key: ["key"]),
    ]

    /// The next page after `after` (the last row's key values), `limit` rows, in key order.
    func pageQuery(after: [SQLiteValue]?, limit: Int) -> (String, [SQLiteValue]) {
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(name)"
        var bindings: [SQLiteValue] = []
        if let after {
            // A row-value comparison: both SQLite (3.15+) and PostgreSQL walk the primary key.
            sql += " WHERE (\(key.joined(separator: ", "))) > (\(key.map { _ in "?" }.joined(separator: ", ")))"
            bindings = after
        }
        sql += " ORDER BY \(key.joined(separator: ", ")) LIMIT ?"
        bindings.append(SQLiteValue(limit))
        return (sql, bindings)
    }

    static func named(_ name: String) throws -> CopyTable {
        guard let table = all.first(where: { $0.name == name }) else { throw StoreError(.failure, "no table \(name) to copy") }
        return table
    }

    /// One `INSERT` of `count` rows. The counter row a new store already has is overwritten.
    func insert(rows count: Int) -> String {
        let row = "(\(columns.map { _ in "?" }.joined(separator: ", ")))"
        let conflict = name == "counters" ? " ON CONFLICT (name) DO UPDATE SET value = excluded.value" : ""
        return
            "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES \(Array(repeating: row, count: count).joined(separator: ", "))\(conflict)"
    }

    /// `rows` in chunks small enough for one statement's parameters on either database.
    func insertChunks(_ rows: [[SQLiteValue]]) -> [(sql: String, bindings: [SQLiteValue])] {
        let perStatement = max(1, 30_000 / columns.count)
        return stride(from: 0, to: rows.count, by: perStatement).map { start in
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            return (insert(rows: chunk.count), chunk.flatMap { $0 })
        }
    }

    /// `SELECT count(*)` of each table, as one row.
    static var countQuery: String {
        "SELECT " + all.map { "(SELECT count(*) FROM \($0.name))" }.joined(separator: ", ")
    }
}

/// A store `vigil db copy` reads from or writes to.
public protocol StoreCopyEndpoint: Sendable {
    /// Rows of `table` after the key `after`, at most `limit`, in key order.
    func copyPage(_ table: String, after: [SQLiteValue]?, limit: Int) async throws -> [[SQLiteValue]]
    /// How many rows each table holds.
    func copyCounts() async throws -> [String: Int]
    /// Writes `pages` (each a table and its rows, in the order given) in one transaction, then
    /// brings the store's own counters (PostgreSQL's identity sequence) past the copied rows.
    func copyIn(_ pages: AsyncThrowingStream<(table: String, rows: [[SQLiteValue]]), any Error>) async throws
}

/// What a copy moved and checked.
public struct StoreCopyReport: Sendable, Equatable {
    /// Rows per table, as copied (and found again in the target).
    public var rows: [String: Int]
    /// Incidents whose event chains were verified in the target.
    public var verifiedIncidents: Int
}

/// `vigil db copy`: the whole history of one store into an empty other, verified afterwards.
public enum StoreCopy {
    /// Refuses a target that holds any incident, event, post, request, once-key or override; copies every
    /// table page by page into one transaction of the target; then checks that each table has
    /// as many rows in the target as in the source, and that every incident's event chain
    /// verifies and ends at the hash and sequence its projection records.
    public static func copy(
        from source: any StoreCopyEndpoint, to target: any StoreCopyEndpoint, pageSize: Int = 2_000
    ) async throws -> StoreCopyReport {
        let existing = try await target.copyCounts()
        let occupied = existing.filter { $0.key != "counters" && $0.value > 0 }.keys.sorted()
        guard occupied.isEmpty else {
            throw StoreError(
                .failure, "the target is not empty (it has rows in \(occupied.joined(separator: ", "))); copy only into a new database")
        }
        let counts = try await source.copyCounts()
        let pages = AsyncThrowingStream<(table: String, rows: [[SQLiteValue]]), any Error> { continuation in
            let task = Task {
                do {
                    for table in CopyTable.all {
                        var after: [SQLiteValue]?
                        while true {
                            let rows = try await source.copyPage(table.name, after: after, limit: pageSize)
                            guard !rows.isEmpty else { break }
                            continuation.yield((table.name, rows))
                            guard rows.count == pageSize, let last = rows.last else { break }
                            after = Array(last.prefix(table.key.count))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        try await target.copyIn(pages)

        let copied = try await target.copyCounts()
        for table in CopyTable.all where table.name != "counters" {
            guard copied[table.name, default: 0] == counts[table.name, default: 0] else {
                throw StoreError(
                    .failure,
                    "the copy's \(table.name) has \(copied[table.name, default: 0]) rows, the source \(counts[table.name, default: 0])")
            }
        }
        let verified = try await verifyChains(in: target, pageSize: pageSize)
        return StoreCopyReport(rows: counts, verifiedIncidents: verified)
    }

    /// Verifies every incident's chain in `store`, reading incidents and events in pages; returns
    /// how many incidents it checked.
    static func verifyChains(in store: any StoreCopyEndpoint, pageSize: Int) async throws -> Int {
        let incidents = CopyTable.all[0], events = CopyTable.all[1]
        let numberIndex = 0
        let sequenceIndex = incidents.columns.firstIndex(of: "last_sequence")!
        let hashIndex = incidents.columns.firstIndex(of: "last_hash")!
        var verified = 0
        var after: [SQLiteValue]?
        var eventsAfter: [SQLiteValue]?
        var pending: [IncidentEvent] = []
        while true {
            let page = try await store.copyPage(incidents.name, after: after, limit: pageSize)
            for row in page {
                guard case let .integer(number) = row[numberIndex] else { throw StoreError(.failure, "an incident has no number") }
                // Events come in (incident, sequence) order: gather this incident's.
                var chain = pending.filter { $0.incident == Int(number) }
                pending.removeAll { $0.incident <= Int(number) }
                while pending.isEmpty {
                    let eventRows = try await store.copyPage(events.name, after: eventsAfter, limit: pageSize)
                    guard let last = eventRows.last else { break }
                    eventsAfter = Array(last.prefix(2))
                    let decoded = try eventRows.map { try StoreRows.event(CopiedRow(values: $0)) }
                    chain += decoded.filter { $0.incident == Int(number) }
                    pending = decoded.filter { $0.incident > Int(number) }
                    if decoded.contains(where: { $0.incident < Int(number) }) {
                        throw StoreError(.failure, "events of an incident that does not exist were copied")
                    }
                    if eventRows.count < pageSize { break }
                }
                let display = "incident \(number)"
                guard EventChain.verify(chain) else {
                    throw StoreError(.failure, "\(display): its event chain does not verify in the copy")
                }
                guard case let .integer(lastSequence) = row[sequenceIndex], lastSequence == chain.count,
                    case let .text(lastHash) = row[hashIndex], lastHash == (chain.last?.hash ?? EventChain.genesis)
                else {
                    throw StoreError(.failure, "\(display): its projection does not end where its events do")
                }
                verified += 1
            }
            guard page.count == pageSize, let last = page.last else { break }
            after = [last[numberIndex]]
        }
        return verified
    }
}

/// A copied row, for the shared row decoders.
struct CopiedRow: StoreRow {
    let values: [SQLiteValue]
    func isNull(_ index: Int) -> Bool { index >= values.count || values[index] == .null }
    func int64(_ index: Int) -> Int64? {
        if index < values.count, case let .integer(value) = values[index] { return value }
        return nil
    }
    func text(_ index: Int) -> String? {
        if index < values.count, case let .text(value) = values[index] { return value }
        return nil
    }
}
