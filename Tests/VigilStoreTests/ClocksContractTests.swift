import Foundation
import Testing
import VigilCore
@testable import VigilStore

@Suite("Store contract: clock rows")
struct ClocksContractTests {
    /// Incident 1's clocks as opening writes them, in no particular order.
    static let openingClocks = [
        clock(1, "resolve", .resolve, due: 14_400),
        clock(1, "legal", .legal, due: 86_400, rule: "NCMEC CyberTipline report (18 U.S.C. §2258A(a)) ünïcödé"),
        clock(1, "step:freeze-payouts", due: 900),
        clock(1, "ack", .ack, due: 900),
        clock(1, "step:notify", due: -60),
    ]

    static func openWithClocks(_ number: Int = 1, clocks: [ClockRow] = openingClocks) -> UnitOfWork {
        var work = openWork(number)
        work.clocks = clocks
        return work
    }

    @Test("clock rows are written with the commit and read back earliest due first, then by name",
          arguments: StoreKind.allCases)
    func insertAndOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(Self.openWithClocks())

            let clocks = try await store.clocks(of: 1)
            #expect(clocks.map(\.name) == ["step:notify", "ack", "step:freeze-payouts", "resolve", "legal"])
            #expect(Set(clocks) == Set(Self.openingClocks))
            #expect(clocks.first { $0.name == "legal" }?.rule == Self.openingClocks[1].rule)
            #expect(clocks.filter { $0.rule == nil }.count == 4)
            #expect(clocks.allSatisfy { $0.state == .running && $0.stoppedAt == nil })
            #expect(try await store.clocks(of: 2) == [])
            #expect(try await rowCounts(store).clocks == 5)
        }
    }

    @Test("a later commit replaces a clock by (incident, name) and adds new ones, leaving the rest",
          arguments: StoreKind.allCases)
    func replace(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(Self.openWithClocks())
            try await store.commit(Self.openWithClocks(2, clocks: [clock(2, "ack", .ack, due: 900)]))
            let incident = try #require(try await store.incident(1))

            // MUT: acknowledging stops the ack clock in time and another step's clock misses;
            // the legal clock loses its rule and moves; a new step clock starts.
            var work = ackWork(incident, by: ava, requestID: "ack")
            var legal = clock(1, "legal", .legal, due: 172_800)
            legal.state = .cancelled
            work.clocks = [
                clock(1, "ack", .ack, due: 900).stopped(at: at(60)),
                clock(1, "step:notify", due: -60).stopped(at: at(60)),
                legal,
                clock(1, "step:report", due: 3_600, rule: "internal policy 4.2"),
            ]
            try await store.commit(work)

            // validate
            let clocks = try await store.clocks(of: 1)
            #expect(clocks.map(\.name) == ["step:notify", "ack", "step:freeze-payouts", "step:report", "resolve", "legal"])
            let byName = Dictionary(uniqueKeysWithValues: clocks.map { ($0.name, $0) })
            #expect(byName["ack"]?.state == .met && byName["ack"]?.stoppedAt == at(60))
            #expect(byName["step:notify"]?.state == .missed && byName["step:notify"]?.stoppedAt == at(60))
            #expect(byName["legal"] == legal)
            #expect(byName["step:report"]?.rule == "internal policy 4.2")
            #expect(byName["resolve"] == Self.openingClocks[0])
            #expect(try await store.clocks(of: 2) == [clock(2, "ack", .ack, due: 900)])
            #expect(try await rowCounts(store).clocks == 7)
        }
    }

    @Test("clocks the unit of work cannot own are refused and nothing is written", arguments: StoreKind.allCases)
    func foreignClocks(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            try await store.commit(Self.openWithClocks())
            let before = try await rowCounts(store)
            let clocks = try await store.clocks(of: 1)

            // MUT: a clock for an incident other than the one committed, clocks without an
            // incident, and two rows for one name
            let otherIncident = Self.openWithClocks(2, clocks: [clock(2, "ack", .ack, due: 900), clock(1, "ack", .ack, due: 5)])
            var noIncident = postWork(requestID: "post", count: 1)
            noIncident.clocks = [clock(1, "ack", .ack, due: 5)]
            let repeated = Self.openWithClocks(2, clocks: [clock(2, "ack", .ack, due: 900), clock(2, "ack", .ack, due: 60)])

            // validate
            for work in [otherIncident, noIncident, repeated] {
                #expect(try await outcome(of: work, in: store) == .failure)
            }
            #expect(try await rowCounts(store) == before)
            #expect(try await store.incident(2) == nil)
            #expect(try await store.clocks(of: 1) == clocks)
        }
    }

    @Test("a clock row for an incident that does not exist breaks the foreign key", arguments: StoreKind.allCases)
    func foreignKey(kind: StoreKind) async throws {
        // Every `try` below is inside a macro, which does not make the closure throwing by itself.
        try await withStore(kind) { store async throws in
            let error = await #expect(throws: StoreError.self) {
                try await tamper(
                    store,
                    """
                    INSERT INTO clocks (incident, name, kind, started_at_ms, due_at_ms, state)
                    VALUES (99, 'ack', 'ack', 0, 1, 'running')
                    """)
            }
            #expect(error?.kind == .failure)
            #expect(try await rowCounts(store).clocks == 0)
        }
    }

    /// A trigger that makes every insert into `idempotency` fail, in `kind`'s dialect.
    static func refuseRequestRecords(_ kind: StoreKind) -> [String] {
        switch kind {
        case .sqlite:
            ["CREATE TRIGGER refuse BEFORE INSERT ON idempotency BEGIN SELECT RAISE(ABORT, 'refused'); END"]
        case .postgres:
            [
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
                "CREATE TRIGGER refuse BEFORE INSERT ON idempotency FOR EACH ROW EXECUTE FUNCTION refuse()",
            ]
        }
    }

    @Test("conflicting, duplicate and failing commits write no clocks", arguments: StoreKind.allCases)
    func rejectedCommitsWriteNoClocks(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(Self.openWithClocks())
            let stale = try #require(try await store.incident(1))
            try await store.commit(ackWork(stale, by: ava, requestID: "ack-ava"))
            let clocks = try await store.clocks(of: 1)
            let before = try await rowCounts(store)

            // A stale writer stopping the ack clock and starting a new one.
            var conflicting = ackWork(stale, by: ben, requestID: "ack-ben")
            conflicting.clocks = [clock(1, "ack", .ack, due: 900).stopped(at: at(61)), clock(1, "new", due: 10)]
            #expect(try await outcome(of: conflicting, in: store) == .conflict)

            // A repeated request whose clocks would be new.
            var duplicate = Self.openWithClocks(2, clocks: [clock(2, "ack", .ack, due: 900)])
            duplicate.requestID = "open-1"
            #expect(try await outcome(of: duplicate, in: store) == .duplicateRequest)

            // A failure after the clocks are written (the request record cannot be inserted):
            // the clocks roll back with everything else.
            for sql in Self.refuseRequestRecords(kind) { try await tamper(store, sql) }
            let current = try #require(try await store.incident(1))
            var failing = ackWork(current, by: ben, requestID: "late")
            failing.incident?.state = .resolved
            failing.clocks = [clock(1, "resolve", .resolve, due: 14_400).stopped(at: at(60)), clock(1, "late", due: 1)]
            #expect(try await outcome(of: failing, in: store) == .failure)

            #expect(try await store.clocks(of: 1) == clocks)
            #expect(try await store.clocks(of: 2) == [])
            #expect(try await rowCounts(store) == before)
            #expect(try await store.incident(1) == current)
        }
    }

    /// A corrupted clock column, and the column the error must name.
    struct Corruption: Sendable, CustomTestStringConvertible {
        var sql: String
        var column: String
        var testDescription: String { column }
    }

    /// Corruptions either store can hold: values of the column's type that do not decode.
    static let corruptions = [
        Corruption(sql: "UPDATE clocks SET kind = 'SECRET sundial'", column: "clocks.kind"),
        Corruption(sql: "UPDATE clocks SET state = 'SECRET paused'", column: "clocks.state"),
        Corruption(sql: "UPDATE clocks SET warnings_sent = -1", column: "clocks.warnings_sent"),
    ]

    /// Corruptions only SQLite can hold: a value of another storage class than the column's,
    /// which PostgreSQL's typed columns refuse.
    static let storageClassCorruptions = [
        Corruption(sql: "UPDATE clocks SET due_at_ms = 'SECRET soon'", column: "clocks.due_at_ms"),
        Corruption(sql: "UPDATE clocks SET started_at_ms = 1.5", column: "clocks.started_at_ms"),
        Corruption(sql: "UPDATE clocks SET rule = x'00'", column: "clocks.rule"),
        Corruption(sql: "UPDATE clocks SET stopped_at_ms = 'SECRET'", column: "clocks.stopped_at_ms"),
        Corruption(sql: "UPDATE clocks SET next_fire_at_ms = 'SECRET later'", column: "clocks.next_fire_at_ms"),
        Corruption(sql: "UPDATE clocks SET alerts_sent = 'SECRET'", column: "clocks.alerts_sent"),
    ]

    @Test("a clock row that does not decode is a failure naming the column, never the stored text",
          arguments: StoreKind.allCases, corruptions)
    func unreadableClock(kind: StoreKind, _ corruption: Corruption) async throws {
        try await withStore(kind) { store in
            try await Self.expectUnreadable(corruption, in: store)
        }
    }

    @Test("a clock column holding another storage class is a failure naming the column, never the stored text (SQLite)",
          arguments: storageClassCorruptions)
    func unreadableStorageClass(_ corruption: Corruption) async throws {
        try await withStore { store, _ in
            try await Self.expectUnreadable(corruption, in: store)
        }
    }

    static func expectUnreadable(_ corruption: Corruption, in store: any IncidentStore) async throws {
        try await store.commit(Self.openWithClocks(clocks: [clock(1, "ack", .ack, due: 900)]))
        try await tamper(store, corruption.sql)

        let error = await #expect(throws: StoreError.self) { try await store.clocks(of: 1) }
        #expect(error?.kind == .failure)
        #expect(error?.message.contains(corruption.column) == true)
        #expect(error?.message.contains("SECRET") == false)
        #expect(error?.message.contains("incident 1") == true)
    }
}
