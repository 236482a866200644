import Foundation
import Testing
import VigilCore
@testable import VigilStore

@Suite("Store contract: claiming due clocks")
struct ClockClaimContractTests {
    /// Opens incident `number` with `clocks`.
    static func open(_ number: Int, _ clocks: [ClockRow], in store: any IncidentStore) async throws {
        try await store.commit(ClocksContractTests.openWithClocks(number, clocks: clocks))
    }

    @Test("only running clocks whose next fire time has come are claimed, earliest first, and leased",
          arguments: StoreKind.allCases)
    func claimHonoursStateAndTime(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var missed = clock(1, "step:late", due: -60, fire: 10)
            missed = missed.stopped(at: at(30))
            missed.nextFireAt = at(10)  // a stopped clock the core left a fire time on
            try await Self.open(1, [
                clock(1, "ack", .ack, due: 900, fire: 50),
                clock(1, "resolve", .resolve, due: 14_400, fire: 101),
                clock(1, "legal", .legal, due: 86_400),
                clock(1, "step:cancelled", due: 60, fire: 5, state: .cancelled),
                clock(1, "step:met", due: 60, fire: 5, state: .met),
                missed,
                clock(1, "escalation", .escalation, due: 300, fire: 100),
            ], in: store)

            let claimed = try await store.claimDueClocks(now: at(100), limit: 10, worker: "w1", leaseUntil: at(160))

            #expect(claimed.map(\.name) == ["ack", "escalation"])
            #expect(Set(claimed).isSubset(of: Set(try await store.clocks(of: 1))))
            let leases = try await leases(store)
            #expect(leases["1/ack"] == Lease(worker: "w1", until: at(160)))
            #expect(leases["1/escalation"] == Lease(worker: "w1", until: at(160)))
            #expect(leases.filter { $0.value != .none }.count == 2)
            // Nothing else due: a second claim finds nothing, leased or not.
            #expect(try await store.claimDueClocks(now: at(100), limit: 10, worker: "w2", leaseUntil: at(160)) == [])
        }
    }

    @Test("claims go by next fire time, then incident, then name, and stop at the limit", arguments: StoreKind.allCases)
    func orderAndLimit(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await Self.open(2, [
                clock(2, "b", due: 900, fire: 20), clock(2, "a", due: 900, fire: 20), clock(2, "c", due: 900, fire: 5),
            ], in: store)
            try await Self.open(1, [clock(1, "z", due: 900, fire: 20), clock(1, "y", due: 900, fire: 30)], in: store)

            var order: [String] = []
            for _ in 0..<3 {
                let batch = try await store.claimDueClocks(now: at(60), limit: 2, worker: "w1", leaseUntil: at(120))
                #expect(batch.count <= 2)
                order += batch.map(key)
            }
            #expect(order == ["2/c", "1/z", "2/a", "2/b", "1/y"])
            #expect(try await store.claimDueClocks(now: at(60), limit: 0, worker: "w1", leaseUntil: at(120)) == [])
            #expect(try await store.claimDueClocks(now: at(60), limit: -1, worker: "w1", leaseUntil: at(120)) == [])
        }
    }

    @Test("a leased clock is not claimable until its lease runs out, then another worker takes it over",
          arguments: StoreKind.allCases)
    func leaseExpiry(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await Self.open(1, [clock(1, "ack", .ack, due: 900, fire: 10)], in: store)
            let first = try await store.claimDueClocks(now: at(10), limit: 5, worker: "w1", leaseUntil: at(70))
            #expect(first.map(\.name) == ["ack"])

            #expect(try await store.claimDueClocks(now: at(69.999), limit: 5, worker: "w2", leaseUntil: at(130)) == [])
            #expect(try await leases(store)["1/ack"] == Lease(worker: "w1", until: at(70)))

            let second = try await store.claimDueClocks(now: at(70), limit: 5, worker: "w2", leaseUntil: at(130))
            #expect(second == first)
            #expect(try await leases(store)["1/ack"] == Lease(worker: "w2", until: at(130)))
        }
    }

    /// SQLite only (two connections on one file); PostgreSQL's replicas claim in ``PostgresLeaseTests``.
    @Test("two workers on two connections claiming at once never claim the same clock (SQLite)")
    func twoWorkers() async throws {
        try await withStore { store, path in
            var all: Set<String> = []
            for number in 1...6 {
                let clocks = (0..<5).map { clock(number, "step:\($0)", due: 900, fire: Double($0 * 7 + number)) }
                try await Self.open(number, clocks, in: store)
                all.formUnion(clocks.map(key))
            }
            let other = try SQLiteIncidentStore.open(path: path)
            let rounds = all.count + 1

            // Bounded, so a claim that hands out leased rows again fails the test rather than hanging it.
            @Sendable func drain(_ store: SQLiteIncidentStore, _ worker: String) async throws -> [String] {
                var claimed: [String] = []
                for _ in 0..<rounds {
                    let batch = try await store.claimDueClocks(now: at(100), limit: 2, worker: worker, leaseUntil: at(400))
                    if batch.isEmpty { break }
                    claimed += batch.map(key)
                }
                return claimed
            }
            async let first = drain(store, "w1")
            async let second = drain(other, "w2")
            let (byFirst, bySecond) = try await (first, second)
            await other.close()

            #expect(byFirst.count + bySecond.count == all.count)
            #expect(Set(byFirst).isDisjoint(with: bySecond))
            #expect(Set(byFirst).union(bySecond) == all)
            let leases = try await leases(store)
            #expect(byFirst.allSatisfy { leases[$0]?.worker == "w1" })
            #expect(bySecond.allSatisfy { leases[$0]?.worker == "w2" })
        }
    }

    @Test("the next fire time is the earliest running one, or its lease's end when later", arguments: StoreKind.allCases)
    func nextFireTime(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.nextClockFireAt() == nil)
            try await Self.open(1, [
                clock(1, "legal", .legal, due: 86_400),
                clock(1, "step:met", due: 60, fire: 1, state: .met),
                clock(1, "step:cancelled", due: 60, fire: 2, state: .cancelled),
            ], in: store)
            #expect(try await store.nextClockFireAt() == nil)

            try await Self.open(
                2, [clock(2, "ack", .ack, due: 900, fire: 10), clock(2, "resolve", .resolve, due: 900, fire: 20)],
                in: store)
            #expect(try await store.nextClockFireAt() == at(10))

            // The earliest is leased beyond the next one: the next one comes first.
            _ = try await store.claimDueClocks(now: at(10), limit: 1, worker: "w1", leaseUntil: at(40))
            #expect(try await store.nextClockFireAt() == at(20))
            // Both leased: the earlier lease end.
            _ = try await store.claimDueClocks(now: at(20), limit: 1, worker: "w1", leaseUntil: at(30))
            #expect(try await store.nextClockFireAt() == at(30))
            // Released rows are due at their fire time again; a shorter lease ends sooner.
            try await store.releaseClock(incident: 2, name: "resolve", worker: "w1")
            try await store.releaseClock(incident: 2, name: "ack", worker: "w1")
            _ = try await store.claimDueClocks(now: at(10), limit: 1, worker: "w1", leaseUntil: at(15))
            #expect(try await store.nextClockFireAt() == at(15))
            #expect(try await leases(store)["2/ack"] == Lease(worker: "w1", until: at(15)))
        }
    }

    @Test("the next fire time is found behind more claims in flight than the index window holds", arguments: StoreKind.allCases)
    func nextFireTimeBeyondTheWindow(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // More rows leased past their fire time than the stores read from the index before
            // falling back to the full minimum, all ahead of the one free row.
            let leased = NextClockFire.window + 8
            for number in 1...leased {
                try await Self.open(number, [clock(number, "ack", .ack, due: 900, fire: 10 + Double(number) / 100)], in: store)
            }
            try await Self.open(leased + 1, [clock(leased + 1, "ack", .ack, due: 900, fire: 400)], in: store)
            let claimed = try await store.claimDueClocks(now: at(20), limit: leased, worker: "w1", leaseUntil: at(500))
            #expect(claimed.count == leased)
            #expect(try await store.nextClockFireAt() == at(400))
            // One lease that ends sooner than the free row is due comes first.
            try await store.releaseClock(incident: leased, name: "ack", worker: "w1")
            _ = try await store.claimDueClocks(now: at(20), limit: 1, worker: "w2", leaseUntil: at(300))
            #expect(try await store.nextClockFireAt() == at(300))
        }
    }

    @Test("releasing drops only the releasing worker's lease and leaves the row as it was", arguments: StoreKind.allCases)
    func release(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var ack = clock(1, "ack", .ack, due: 900, fire: 10)
            ack.warningsSent = 2
            try await Self.open(1, [ack, clock(1, "resolve", .resolve, due: 900)], in: store)
            let before = try await store.clocks(of: 1)
            _ = try await store.claimDueClocks(now: at(10), limit: 5, worker: "w1", leaseUntil: at(70))

            // Not w2's to release.
            try await store.releaseClock(incident: 1, name: "ack", worker: "w2")
            #expect(try await leases(store)["1/ack"] == Lease(worker: "w1", until: at(70)))

            try await store.releaseClock(incident: 1, name: "ack", worker: "w1")
            #expect(try await leases(store)["1/ack"] == Lease.none)
            #expect(try await store.clocks(of: 1) == before)
            #expect(try await store.claimDueClocks(now: at(10), limit: 5, worker: "w2", leaseUntil: at(70)) == [ack])

            // A row under no lease, or no longer this worker's, releases quietly; no row at all fails.
            try await store.releaseClock(incident: 1, name: "resolve", worker: "w1")
            try await store.releaseClock(incident: 1, name: "ack", worker: "w1")
            #expect(try await leases(store)["1/ack"] == Lease(worker: "w2", until: at(70)))
            let error = await #expect(throws: StoreError.self) {
                try await store.releaseClock(incident: 1, name: "step:none", worker: "w1")
            }
            #expect(error?.kind == .failure)
        }
    }

    @Test("a due clock that does not decode is leased but not returned, and holds up nothing behind it",
          arguments: StoreKind.allCases)
    func unreadableDueClock(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await Self.open(
                1, [clock(1, "ack", .ack, due: 900, fire: 5), clock(1, "resolve", .resolve, due: 900, fire: 10)],
                in: store)
            try await tamper(store, "UPDATE clocks SET kind = 'SECRET sundial' WHERE name = 'ack'")

            let claimed = try await store.claimDueClocks(now: at(20), limit: 1, worker: "w1", leaseUntil: at(80))
            #expect(claimed == [])
            #expect(try await store.nextClockFireAt() == at(10))
            let next = try await store.claimDueClocks(now: at(20), limit: 1, worker: "w1", leaseUntil: at(80))
            #expect(next.map(\.name) == ["resolve"])
            #expect(try await store.nextClockFireAt() == at(80))
            // Left as it was for a build that can read it.
            #expect(try await inspect(store, "SELECT kind FROM clocks WHERE name = 'ack'").first == [.text("SECRET sundial")])
        }
    }
}
