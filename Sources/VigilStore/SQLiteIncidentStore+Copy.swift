import Foundation
import VigilCore

/// `vigil db copy` from or into an SQLite file. Reads go to the report reader; writes go through
/// the writer a page at a time (its jobs are synchronous, so one transaction cannot span the
/// source's reads). A copy into a new file that fails part-way leaves a file the next copy
/// refuses as not empty: delete it and copy again.
extension SQLiteIncidentStore: StoreCopyEndpoint {
    public func copyPage(_ table: String, after: [SQLiteValue]?, limit: Int) async throws -> [[SQLiteValue]] {
        let (sql, bindings) = try CopyTable.named(table).pageQuery(after: after, limit: limit)
        return try await reading("copy \(table)", lane: .report) { database in
            try database.query(sql, bindings) { row in (0..<row.count).map { row.value($0) } }
        }
    }

    public func copyCounts() async throws -> [String: Int] {
        try await reading("copy counts", lane: .report) { database in
            let counts = try database.queryFirst(CopyTable.countQuery) { row in CopyTable.all.indices.map { row.int($0) ?? 0 } } ?? []
            return Dictionary(uniqueKeysWithValues: zip(CopyTable.all.map(\.name), counts))
        }
    }

    public func copyIn(_ pages: AsyncThrowingStream<(table: String, rows: [[SQLiteValue]]), any Error>) async throws {
        for try await page in pages {
            let chunks = try CopyTable.named(page.table).insertChunks(page.rows)
            try await perform("copy into \(page.table)") { database in
                try database.transaction {
                    for chunk in chunks { try database.run(chunk.sql, chunk.bindings) }
                }
            }
        }
    }
}
