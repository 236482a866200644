import Foundation
import Testing
import VigilCore
@testable import VigilStore

/// Finding 8: idempotency records keep who sent the request and a hash of it.
@Suite("Store contract: request fingerprints (and SQLite's version 4 upgrade)")
struct IdempotencyContractTests {
    static let fingerprint = RequestFingerprint(sender: "U0AVA", hash: String(repeating: "ab", count: 32))

    @Test("finding 8: a record keeps its sender and hash, and a repeated commit carries them back", arguments: StoreKind.allCases)
    func keptAndReturned(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // setup
            var work = postWork(requestID: "r1", count: 1)
            work.fingerprint = Self.fingerprint
            try await store.commit(work)
            // MUT + validate
            #expect(try await store.storedRequest(requestID: "r1") == StoredRequest(reply: try #require(work.reply), fingerprint: Self.fingerprint))
            var replay = postWork(requestID: "r1", count: 1)
            replay.fingerprint = RequestFingerprint(sender: "U0BEN", hash: String(repeating: "cd", count: 32))
            let error = await #expect(throws: StoreError.self) { try await store.commit(replay) }
            #expect(error?.kind == .duplicateRequest)
            #expect(error?.stored?.fingerprint == Self.fingerprint)
            #expect(try await rowCounts(store).outbox == 1)
        }
    }

    /// SQLite only: PostgreSQL's schema had fingerprints from its first version.
    @Test("a record from before fingerprints reads back without one (SQLite's version 4)")
    func upgradeFromVersion4() async throws {
        try await withDatabasePath { path in
            do {
                let database = try SQLiteDatabase(path: path)
                #expect(try SQLiteMigrations.migrate(database, upTo: 4) == [1, 2, 3, 4])
                try database.run(
                    "INSERT INTO idempotency (request_id, reply, created_at_ms) VALUES ('old', ?, 0)",
                    [.text(StoreJSON.encode(Reply.ephemeral("old reply")))])
            }
            let store = try SQLiteIncidentStore.open(path: path)
            #expect(try await store.storedRequest(requestID: "old") == StoredRequest(reply: .ephemeral("old reply"), fingerprint: nil))
            await store.close()
        }
    }
}
