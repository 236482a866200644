import Foundation
import Testing
import VigilCore
import VigilStore

/// Finding 7 (retention): idempotency records and delivered posts were kept for good.
@Suite("Store contract: retention")
struct RetentionContractTests {
    @Test("finding 7: idempotency records older than the cutoff are deleted, oldest first, a batch at a time",
          arguments: StoreKind.allCases)
    func requests(kind: StoreKind) async throws {
        try await withTimedStores(kind) { open in
            for (index, time) in [at(0), at(10), at(20), at(30)].enumerated() {
                let store = try await open(time)
                try await store.commit(postWork(requestID: "r\(index)", count: 0))
                await close(store)
            }
            let store = try await open(Date())
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
            await close(store)
        }
    }

    @Test("finding 7: only delivered posts older than the cutoff are deleted; pending and dead-lettered ones stay",
          arguments: StoreKind.allCases)
    func deliveredPosts(kind: StoreKind) async throws {
        try await withStore(kind) { store in
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
            let left = try await inspect(store, "SELECT id, state FROM outbox ORDER BY id").map { row -> (id: Int64, state: String) in
                guard case let .integer(id) = row[0], case let .text(state) = row[1] else { return (-1, "?") }
                return (id, state)
            }
            #expect(left.map(\.id) == [ids[2], ids[3], ids[4]])
            #expect(left.map(\.state) == ["delivered", "dead", "pending"])
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 1, deadLettered: 1))
        }
    }
}
