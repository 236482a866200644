import Foundation
import Testing
import VigilCore
@testable import VigilStore

@Suite("Store contract: outbox")
struct OutboxContractTests {
    /// One outbox row's delivery columns, read behind the port's back.
    struct Delivery: Sendable, Equatable {
        var state: String
        var attempts: Int
        var lastError: String?
        var claimedBy: String?
        var leaseUntil: Date?
        var deliveredAt: Date?
    }

    static func delivery(_ id: Int64, in store: any IncidentStore) async throws -> Delivery? {
        let rows = try await inspect(
            store,
            """
            SELECT state, attempts, last_error, claimed_by, lease_until_ms, delivered_at_ms
            FROM outbox WHERE id = ?
            """, [.integer(id)])
        guard let row = rows.first, row.count == 6 else { return nil }
        func text(_ index: Int) -> String? {
            if case let .text(value) = row[index] { return value }
            return nil
        }
        func integer(_ index: Int) -> Int64? {
            if case let .integer(value) = row[index] { return value }
            return nil
        }
        return Delivery(
            state: text(0) ?? "?", attempts: integer(1).map { Int($0) } ?? -1, lastError: text(2),
            claimedBy: text(3), leaseUntil: integer(4).map(date(milliseconds:)), deliveredAt: integer(5).map(date(milliseconds:)))
    }

    @Test("a row is claimable once its attempt is due, oldest first, up to the limit",
          arguments: StoreKind.allCases)
    func dueAndOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for number in 1...3 { try await store.commit(openWork(number, at: at(Double(number - 1) * 10))) }

            #expect(try await store.claimOutbox(now: at(-0.001), limit: 10, worker: "w1", leaseUntil: at(30)).isEmpty)
            let early = try await store.claimOutbox(now: at(15), limit: 10, worker: "w1", leaseUntil: at(45))
            #expect(early.map(\.item.incident) == [1, 2])
            #expect(early.map(\.createdAt) == [t0, at(10)])

            let limited = try await store.claimOutbox(now: at(20), limit: 1, worker: "w2", leaseUntil: at(50))
            #expect(limited.map(\.item.incident) == [3])
            #expect(try await store.claimOutbox(now: at(20), limit: 0, worker: "w2", leaseUntil: at(50)).isEmpty)
        }
    }

    @Test("a claimed row is not claimable again until its lease runs out, then it is",
          arguments: StoreKind.allCases)
    func leases(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(postWork(requestID: "p", count: 3))

            let first = try await store.claimOutbox(now: t0, limit: 2, worker: "w1", leaseUntil: at(30))
            #expect(first.count == 2)
            let rest = try await store.claimOutbox(now: at(10), limit: 10, worker: "w2", leaseUntil: at(40))
            #expect(rest.count == 1 && Set(rest.map(\.id)).isDisjoint(with: first.map(\.id)))
            #expect(try await store.claimOutbox(now: at(29.999), limit: 10, worker: "w2", leaseUntil: at(60)).isEmpty)

            let expired = try await store.claimOutbox(now: at(30), limit: 10, worker: "w2", leaseUntil: at(60))
            #expect(expired.map(\.id) == first.map(\.id))
            #expect(try await Self.delivery(first[0].id, in: store)?.claimedBy == "w2")
            #expect(try await Self.delivery(first[0].id, in: store)?.leaseUntil == at(60))
        }
    }

    @Test("a pass's delivered rows are marked in one transaction: all of them, or none when one is unknown",
          arguments: StoreKind.allCases)
    func markedTogether(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(postWork(requestID: "p", count: 3))
            let rows = try await store.claimOutbox(now: t0, limit: 3, worker: "w1", leaseUntil: at(30))
            let refused = await #expect(throws: StoreError.self) { try await store.markDelivered([rows[0].id, 999], at: at(1)) }
            #expect(refused?.kind == .failure)
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 3, deadLettered: 0))
            try await store.markDelivered([rows[0].id, rows[1].id], at: at(1))
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 1, deadLettered: 0))
            #expect(try await Self.delivery(rows[1].id, in: store) == Delivery(state: "delivered", attempts: 0, deliveredAt: at(1)))
            try await store.markDelivered([], at: at(2))
        }
    }

    @Test("delivered, rescheduled and dead-lettered rows move as recorded and are counted",
          arguments: StoreKind.allCases)
    func outcomes(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(postWork(requestID: "p", count: 3))
            let rows = try await store.claimOutbox(now: t0, limit: 3, worker: "w1", leaseUntil: at(30))
            let (delivered, retried, dead) = (rows[0].id, rows[1].id, rows[2].id)

            // MUT
            try await store.markDelivered(delivered, at: at(1))
            try await store.reschedule(retried, attempts: 1, nextAttemptAt: at(60), error: "HTTP 500")
            try await store.deadLetter(dead, attempts: 5, error: "HTTP 404 channel_not_found", at: at(2))

            // validate
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 1, deadLettered: 1))
            #expect(try await Self.delivery(delivered, in: store)
                == Delivery(state: "delivered", attempts: 0, deliveredAt: at(1)))
            #expect(try await Self.delivery(retried, in: store)
                == Delivery(state: "pending", attempts: 1, lastError: "HTTP 500"))
            #expect(try await Self.delivery(dead, in: store)
                == Delivery(state: "dead", attempts: 5, lastError: "HTTP 404 channel_not_found"))

            #expect(try await store.claimOutbox(now: at(59), limit: 10, worker: "w1", leaseUntil: at(90)).isEmpty)
            let retry = try await store.claimOutbox(now: at(60), limit: 10, worker: "w1", leaseUntil: at(90))
            #expect(retry.map(\.id) == [retried] && retry.first?.attempts == 1)

            // A late report from a worker whose lease ran out does not undo a finished row.
            try await store.reschedule(delivered, attempts: 1, nextAttemptAt: at(120), error: "timeout")
            try await store.deadLetter(delivered, attempts: 1, error: "timeout", at: at(120))
            #expect(try await Self.delivery(delivered, in: store)?.state == "delivered")

            let missing = await #expect(throws: StoreError.self) { try await store.markDelivered(999, at: t0) }
            #expect(missing?.kind == .failure)
        }
    }

    @Test("the next due time is the earliest attempt, or lease end, among pending rows",
          arguments: StoreKind.allCases)
    func nextDue(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.nextOutboxDue() == nil)
            try await store.commit(postWork(requestID: "p", count: 2))
            #expect(try await store.nextOutboxDue() == t0)

            let rows = try await store.claimOutbox(now: t0, limit: 2, worker: "w1", leaseUntil: at(30))
            #expect(try await store.nextOutboxDue() == at(30))

            try await store.reschedule(rows[0].id, attempts: 1, nextAttemptAt: at(60), error: "HTTP 503")
            #expect(try await store.nextOutboxDue() == at(30))
            try await store.markDelivered(rows[1].id, at: at(5))
            #expect(try await store.nextOutboxDue() == at(60))
            try await store.deadLetter(rows[0].id, attempts: 2, error: "HTTP 503", at: at(60))
            #expect(try await store.nextOutboxDue() == nil)
        }
    }

    @Test("a row that cannot be read is dead-lettered by the claim instead of blocking the rest",
          arguments: StoreKind.allCases)
    func unreadableRow(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(postWork(requestID: "p", count: 3))
            try await tamper(store, "UPDATE outbox SET message = 'garbage' WHERE id = 2")

            let rows = try await store.claimOutbox(now: t0, limit: 10, worker: "w1", leaseUntil: at(30))

            #expect(rows.map(\.id) == [1, 3])
            #expect(rows.map(\.item.message) == [message("post 1"), message("post 3")])
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 2, deadLettered: 1))
            #expect(try await Self.delivery(2, in: store)?.lastError?.hasPrefix("unreadable row") == true)
        }
    }

    /// SQLite only (two stores on one file); PostgreSQL's replicas claim in ``PostgresLeaseTests``.
    @Test("two stores on one file claiming at once never get the same row (SQLite)")
    func competingWorkers() async throws {
        try await withStore { first, path in
            let second = try SQLiteIncidentStore.open(path: path)
            for batch in 1...4 { try await first.commit(postWork(requestID: "p\(batch)", count: 10)) }

            let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for (worker, store) in [("w1", first), ("w2", second), ("w3", first), ("w4", second)] {
                    group.addTask {
                        var ids: [Int64] = []
                        // Bounded, so a broken lease (rows claimable again at once) fails, not hangs.
                        for _ in 1...20 {
                            let rows = try await store.claimOutbox(
                                now: t0, limit: 3, worker: worker, leaseUntil: at(30))
                            if rows.isEmpty { break }
                            ids += rows.map(\.id)
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let all = claims.flatMap { $0 }
            #expect(all.count == 40 && Set(all) == Set(1...40))
            await second.close()
        }
    }
}
