import Foundation
import Testing
import VigilCore
@testable import VigilStore

/// Leases across replicas: each "replica" is a store instance of its own, with its own pool, on
/// one database, as two Vigil processes would be.
@Suite("PostgreSQL leases across replicas")
struct PostgresLeaseTests {
    /// Two stores on one new database.
    private func twoReplicas() async throws -> (PostgresIncidentStore, PostgresIncidentStore) {
        let configuration = try await newPostgresDatabase()
        let first = try await PostgresIncidentStore.open(configuration, now: { t0 })
        let second = try await PostgresIncidentStore.open(configuration, now: { t0 })
        first.startRunning()
        second.startRunning()
        return (first, second)
    }

    /// Runs `claim` for each worker at once, each on its replica, until it comes back empty (at
    /// most `rounds` times, so a claim that hands out leased rows again fails the test rather
    /// than hanging it); returns what each worker claimed.
    private func race<Item: Sendable>(
        _ workers: [(name: String, store: PostgresIncidentStore)], rounds: Int,
        _ claim: @escaping @Sendable (PostgresIncidentStore, String) async throws -> [Item]
    ) async throws -> [String: [Item]] {
        try await withThrowingTaskGroup(of: (String, [Item]).self) { group in
            for (name, store) in workers {
                group.addTask {
                    var claimed: [Item] = []
                    for _ in 0..<rounds {
                        let batch = try await claim(store, name)
                        if batch.isEmpty { break }
                        claimed += batch
                    }
                    return (name, claimed)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }

    @Test("two replicas claiming due clocks at once never claim the same clock")
    func clocksAcrossReplicas() async throws {
        let (first, second) = try await twoReplicas()
        var all: Set<String> = []
        for number in 1...8 {
            let clocks = (0..<5).map { clock(number, "step:\($0)", due: 900, fire: Double($0 * 7 + number)) }
            try await first.commit(ClocksContractTests.openWithClocks(number, clocks: clocks))
            all.formUnion(clocks.map(key))
        }

        let claims = try await race(
            [("w1", first), ("w2", second), ("w3", first), ("w4", second)], rounds: all.count + 1
        ) { store, worker in
            try await store.claimDueClocks(now: at(100), limit: 2, worker: worker, leaseUntil: at(400)).map(key)
        }

        let claimed = claims.values.flatMap { $0 }
        #expect(claimed.count == all.count, "each clock claimed once")
        #expect(Set(claimed) == all)
        let leases = try await leases(second)
        for (worker, keys) in claims {
            #expect(keys.allSatisfy { leases[$0] == Lease(worker: worker, until: at(400)) }, "\(worker)")
        }
        await first.close()
        await second.close()
    }

    @Test("two replicas claiming outbox rows at once never get the same row")
    func outboxAcrossReplicas() async throws {
        let (first, second) = try await twoReplicas()
        for batch in 1...6 { try await first.commit(postWork(requestID: "p\(batch)", count: 10)) }

        let claims = try await race(
            [("w1", first), ("w2", second), ("w3", first), ("w4", second)], rounds: 60
        ) { store, worker in
            try await store.claimOutbox(now: t0, limit: 3, worker: worker, leaseUntil: at(30)).map(\.id)
        }

        let claimed = claims.values.flatMap { $0 }
        #expect(claimed.count == 60 && Set(claimed) == Set(1...60))
        for (worker, ids) in claims {
            let holders = try await inspect(
                first, "SELECT DISTINCT claimed_by FROM outbox WHERE id = ANY(?::bigint[])",
                [PostgresIncidentStore.idArray(ids)])
            #expect(ids.isEmpty || holders == [[.text(worker)]], "\(worker)")
        }
        await first.close()
        await second.close()
    }

    @Test("replicas claiming under one channel budget at once share it: the channel gets the budget once, not once per replica")
    func budgetAcrossReplicas() async throws {
        let (first, second) = try await twoReplicas()
        // Lifecycle posts wait for room rather than fold, so whatever is claimed is the room used.
        try await first.commit(postWork(requestID: "posts", count: 40, channel: .incidents))
        let budget = ChannelBudget(posts: 5, window: .seconds(60))

        let claims = try await race(
            [("w1", first), ("w2", second), ("w3", first), ("w4", second)], rounds: 10
        ) { store, worker in
            let claim = try await store.claimOutbox(now: t0, limit: 2, worker: worker, leaseUntil: at(30), budget: budget)
            #expect(claim.overflow.isEmpty)
            return claim.rows.map(\.id)
        }

        let claimed = claims.values.flatMap { $0 }
        #expect(claimed.count == 5 && Set(claimed).count == 5, "\(claims)")
        #expect(Set(claimed) == Set(1...5), "most urgent first, then oldest")
        #expect(try await integer(first, "SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL") == 5)
        // The other 35 wait for the window to have room, none of them leased.
        #expect(try await integer(first, "SELECT count(*) FROM outbox WHERE next_attempt_at_ms > ?",
                                  [.integer(StoreTime.milliseconds(t0))]) == 35)
        await first.close()
        await second.close()
    }

    @Test("a lease held by a replica that died is claimable by another once it runs out")
    func deadReplicaLease() async throws {
        let configuration = try await newPostgresDatabase()
        let dying = try await PostgresIncidentStore.open(configuration, now: { t0 })
        dying.startRunning()
        try await dying.commit(ClocksContractTests.openWithClocks(1, clocks: [
            clock(1, "ack", .ack, due: 900, fire: 10), clock(1, "resolve", .resolve, due: 900, fire: 20),
        ]))
        try await dying.commit(postWork(requestID: "p", count: 2))
        let clocks = try await dying.claimDueClocks(now: at(20), limit: 10, worker: "dead", leaseUntil: at(80))
        let rows = try await dying.claimOutbox(now: at(20), limit: 10, worker: "dead", leaseUntil: at(50))
        // The opening announcement and the two posts.
        #expect(clocks.count == 2 && rows.count == 3)
        // It stops without releasing anything.
        await dying.close()

        let survivor = try await PostgresIncidentStore.open(configuration, now: { t0 })
        survivor.startRunning()
        #expect(try await survivor.claimDueClocks(now: at(79.999), limit: 10, worker: "alive", leaseUntil: at(140)) == [])
        #expect(try await survivor.claimOutbox(now: at(49.999), limit: 10, worker: "alive", leaseUntil: at(110)).isEmpty)
        #expect(try await survivor.nextClockFireAt() == at(80))
        #expect(try await survivor.nextOutboxDue() == at(50))

        let outbox = try await survivor.claimOutbox(now: at(50), limit: 10, worker: "alive", leaseUntil: at(110))
        #expect(outbox.map(\.id) == rows.map(\.id) && outbox.map(\.item) == rows.map(\.item))
        let taken = try await survivor.claimDueClocks(now: at(80), limit: 10, worker: "alive", leaseUntil: at(140))
        #expect(taken == clocks)
        #expect(try await leases(survivor) == ["1/ack": Lease(worker: "alive", until: at(140)), "1/resolve": Lease(worker: "alive", until: at(140))])

        // The rows it took over are its own to finish.
        try await survivor.markDelivered(outbox.map(\.id), at: at(51))
        #expect(try await survivor.outboxHealth() == OutboxHealth(pending: 0, deadLettered: 0))
        await survivor.close()
    }
}
