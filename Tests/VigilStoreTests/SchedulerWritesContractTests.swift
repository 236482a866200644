import Foundation
import Testing
import VigilCore
@testable import VigilStore

@Suite("Store contract: what the SLA scheduler writes and reads")
struct SchedulerWritesContractTests {
    static let vigil = UserRef(id: "vigil", name: "vigil")

    /// A scheduler firing on `incident` (as last read): a warning on `clock`, with no request behind it.
    static func warning(_ incident: Incident, clock: ClockRow, at time: Date = at(120)) -> UnitOfWork {
        var next = incident
        var clock = clock
        clock.warningsSent += 1
        clock.nextFireAt = clock.dueAt
        let event = EventChain.append(.clockWarned, by: vigil, at: time, payload: ["clock": clock.name], to: &next)
        return UnitOfWork(
            requestID: nil, reply: .ephemeral(""), incident: next, expectedSequence: incident.lastSequence,
            events: [event],
            outbox: [OutboxItem(channel: .incidents, incident: incident.number, message: message("warn"))],
            clocks: [clock])
    }

    @Test("the scheduler's fields round-trip, for every kind including escalation",
          arguments: StoreKind.allCases)
    func roundTrip(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var escalation = clock(1, "escalation", .escalation, due: 600, fire: 600)
            escalation.alertsSent = 3
            var ack = clock(1, "ack", .ack, due: 900, fire: 300)
            ack.warningsSent = 2
            let clocks = [escalation, ack, clock(1, "legal", .legal, due: 86_400, rule: "rule")]
            try await store.commit(ClocksContractTests.openWithClocks(1, clocks: clocks))
            #expect(try await store.clocks(of: 1) == clocks)
        }
    }

    @Test("a commit drops the lease of the clocks it writes and only those",
          arguments: StoreKind.allCases)
    func commitClearsLease(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let ack = clock(1, "ack", .ack, due: 900, fire: 10)
            let resolve = clock(1, "resolve", .resolve, due: 900, fire: 10)
            try await store.commit(ClocksContractTests.openWithClocks(1, clocks: [ack, resolve]))
            try await store.commit(ClocksContractTests.openWithClocks(2, clocks: [clock(2, "ack", .ack, due: 900, fire: 10)]))
            let claimed = try await store.claimDueClocks(now: at(30), limit: 10, worker: "w1", leaseUntil: at(90))
            #expect(claimed.count == 3)

            // A command acknowledging incident 1 rewrites its ack clock (still due, say).
            var work = ackWork(try #require(try await store.incident(1)), by: ava, requestID: "ack")
            work.clocks = [ack]
            try await store.commit(work)

            let leases = try await leases(store)
            #expect(leases["1/ack"] == Lease.none)
            #expect(leases["1/resolve"] == Lease(worker: "w1", until: at(90)))
            #expect(leases["2/ack"] == Lease(worker: "w1", until: at(90)))
            #expect(try await store.claimDueClocks(now: at(30), limit: 10, worker: "w2", leaseUntil: at(90)) == [ack])
        }
    }

    @Test("a unit of work with no request ID writes no request record, and still conflicts when stale",
          arguments: StoreKind.allCases)
    func noRequestID(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let ack = clock(1, "ack", .ack, due: 900, fire: 60)
            try await store.commit(ClocksContractTests.openWithClocks(1, clocks: [ack]))
            let incident = try #require(try await store.incident(1))
            _ = try await store.claimDueClocks(now: at(60), limit: 1, worker: "w1", leaseUntil: at(120))
            let before = try await rowCounts(store)

            let firing = Self.warning(incident, clock: ack)
            try await store.commit(firing)

            let after = try await rowCounts(store)
            #expect(after.idempotency == before.idempotency)
            #expect(after.events == before.events + 1 && after.outbox == before.outbox + 1)
            #expect(try await store.incident(1) == firing.incident)
            #expect(try await store.clocks(of: 1) == firing.clocks)
            #expect(try await leases(store)["1/ack"] == Lease.none)
            #expect(try await store.storedReply(requestID: "") == nil)
            // Outbox rows take the event's time, as for a command.
            let created = try await inspect(store, "SELECT created_at_ms FROM outbox ORDER BY id")
            #expect(created.last == [.integer(StoreTime.milliseconds(at(120)))])

            // The same firing again (another replica, or a retry) and a firing computed before a
            // command changed the incident: both stale, so both conflict and write nothing.
            #expect(try await outcome(of: firing, in: store) == .conflict)
            try await store.commit(ackWork(try #require(try await store.incident(1)), by: ben, requestID: "ack"))
            let current = try await rowCounts(store)
            let stale = Self.warning(try #require(firing.incident), clock: ack, at: at(180))
            #expect(try await outcome(of: stale, in: store) == .conflict)
            #expect(try await rowCounts(store) == current)
        }
    }

    @Test("overdue incidents: running deadline clocks due before now, ascending, up to the limit",
          arguments: StoreKind.allCases)
    func overdue(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let setups: [(Int, [ClockRow])] = [
                (7, [clock(7, "legal", .legal, due: 50)]),
                (5, [clock(5, "step:a", due: -1), clock(5, "resolve", .resolve, due: -5)]),
                (1, [clock(1, "ack", .ack, due: -10, fire: -10)]),
                (2, [clock(2, "escalation", .escalation, due: -10)]),
                (3, [
                    clock(3, "ack", .ack, due: -10).stopped(at: at(-20)),
                    clock(3, "step:b", due: -10).stopped(at: at(0)),
                    clock(3, "resolve", .resolve, due: -10, state: .cancelled),
                ]),
                (4, [clock(4, "legal", .legal, due: 1_000)]),
                (6, [clock(6, "resolve", .resolve, due: 100)]),
            ]
            for (number, clocks) in setups {
                try await store.commit(ClocksContractTests.openWithClocks(number, clocks: clocks))
            }

            #expect(try await store.overdueIncidents(now: at(100), limit: 10) == [1, 5, 7])
            #expect(try await store.overdueIncidents(now: at(100), limit: 2) == [1, 5])
            #expect(try await store.overdueIncidents(now: at(100.001), limit: 10) == [1, 5, 6, 7])
            #expect(try await store.overdueIncidents(now: at(-20), limit: 10) == [])
            #expect(try await store.overdueIncidents(now: at(100), limit: 0) == [])
            // Leases play no part.
            _ = try await store.claimDueClocks(now: at(2_000), limit: 10, worker: "w1", leaseUntil: at(3_000))
            #expect(try await store.overdueIncidents(now: at(100), limit: 10) == [1, 5, 7])
        }
    }

    /// SQLite only: PostgreSQL's schema starts at SQLite's version 9.
    @Test("opening a version 2 database upgrades it: clocks keep their data, new columns take defaults (SQLite)")
    func upgradeFromVersion2() async throws {
        try await withDatabasePath { path in
            let (incident, events) = opened(1)
            do {
                let database = try SQLiteDatabase(path: path)
                #expect(try SQLiteMigrations.migrate(database, upTo: 2) == [1, 2])
                try insertBeforeVersion4(incident, into: database)
                for event in events { try database.run(StoreRows.insertEvent, StoreRows.bindings(event)) }
                // Spelled out in version 2's columns.
                for (name, kind, due, state, rule, stopped) in [
                    ("ack", "ack", 900.0, "met", nil, 60.0), ("legal", "legal", 86_400, "running", "§2258A", nil),
                    ("step:x", "step", -60, "running", nil, nil),
                ] as [(String, String, Double, String, String?, Double?)] {
                    try database.run(
                        "INSERT INTO clocks VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            .text(name), .text(kind), .integer(StoreTime.milliseconds(t0)),
                            .integer(StoreTime.milliseconds(at(due))), .text(state), SQLiteValue(rule),
                            SQLiteValue(stopped.map { StoreTime.milliseconds(at($0)) }),
                        ])
                }
            }

            let store = try SQLiteIncidentStore.open(path: path)
            #expect(try await store.read { database in
                try database.query("SELECT version FROM schema_migrations ORDER BY version") { $0.int(0) }
            } == SQLiteMigrations.all.map(\.version))
            let clocks = try await store.clocks(of: 1)
            #expect(clocks == [
                clock(1, "step:x", due: -60), clock(1, "ack", .ack, due: 900).stopped(at: at(60)),
                clock(1, "legal", .legal, due: 86_400, rule: "§2258A"),
            ])
            #expect(try await leases(store).values.allSatisfy { $0 == .none })
            // Nothing for the scheduler until a commit gives the rows a fire time.
            #expect(try await store.nextClockFireAt() == nil)
            #expect(try await store.claimDueClocks(now: at(1e6), limit: 10, worker: "w1", leaseUntil: at(2e6)) == [])
            #expect(try await store.overdueIncidents(now: at(0), limit: 10) == [1])

            var work = ackWork(try #require(try await store.incident(1)), by: ben, requestID: "ack")
            var step = clock(1, "step:x", due: -60, fire: 0)
            step.alertsSent = 1
            work.clocks = [step]
            try await store.commit(work)
            #expect(try await store.clocks(of: 1).first == step)
            #expect(try await store.claimDueClocks(now: at(0), limit: 10, worker: "w1", leaseUntil: at(60)) == [step])
            await store.close()
        }
    }
}
