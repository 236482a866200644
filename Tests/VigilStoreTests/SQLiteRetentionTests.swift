import Foundation
import Testing
import VigilCore
import VigilStore

/// Finding 7 (retention): idempotency records and delivered posts were kept for good.
@Suite("SQLiteIncidentStore: retention")
struct SQLiteRetentionTests {
    @Test("finding 7: idempotency records older than the cutoff are deleted, oldest first, a batch at a time")
    func requests() async throws {
        try await withDatabasePath { path in
            for (index, time) in [at(0), at(10), at(20), at(30)].enumerated() {
                let store = try SQLiteIncidentStore.open(path: path, now: { time })
                try await store.commit(postWork(requestID: "r\(index)", count: 0))
                await store.close()
            }
            let store = try SQLiteIncidentStore.open(path: path)
            // MUT: a batch of 2 of the 3 older than at(25), then the rest
            #expect(try await store.pruneRequests(createdBefore: at(25), limit: 2) == 2)
            #expect(try await store.storedRequest(requestID: "r0") == nil)
            #expect(try await store.storedRequest(requestID: "r1") == nil)
            #expect(try await store.storedRequest(requestID: "r2") != nil)
            #expect(try await store.pruneRequests(createdBefore: at(25), limit: 2) == 1)
            #expect(try await store.pruneRequests(createdBefore: at(25), limit: 2) == 0)
            // validate: the newer record stays, and a pruned ID is new again
            #expect(try await store.storedRequest(requestID: "r3") != nil)
            try await store.commit(postWork(requestID: "r0", count: 0))
            await store.close()
        }
    }

    @Test("finding 7: only delivered posts older than the cutoff are deleted; pending and dead-lettered ones stay")
    func deliveredPosts() async throws {
        try await withStore { store, _ in
            try await store.commit(postWork(requestID: "p", count: 5))
            let rows = try await store.claimOutbox(now: t0, limit: 10, worker: "w", leaseUntil: at(30))
            let ids = rows.map(\.id)
            try #require(ids.count == 5)
            try await store.markDelivered([ids[0], ids[1]], at: at(10))
            try await store.markDelivered([ids[2]], at: at(100))
            try await store.deadLetter(ids[3], attempts: 8, error: "gone", at: at(10))
            // ids[4] stays pending.
            // MUT
            #expect(try await store.pruneDeliveredPosts(deliveredBefore: at(50), limit: 1) == 1)
            #expect(try await store.pruneDeliveredPosts(deliveredBefore: at(50), limit: 10) == 1)
            #expect(try await store.pruneDeliveredPosts(deliveredBefore: at(50), limit: 10) == 0)
            // validate
            let left = try await store.read { database in
                try database.query("SELECT id, state FROM outbox ORDER BY id") { (id: $0.int64(0) ?? -1, state: $0.text(1) ?? "?") }
            }
            #expect(left.map(\.id) == [ids[2], ids[3], ids[4]])
            #expect(left.map(\.state) == ["delivered", "dead", "pending"])
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 1, deadLettered: 1))
        }
    }
}
