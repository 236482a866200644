import Foundation
import Synchronization
import Testing
import VigilCore
@testable import VigilStore

/// Group commit: units queued while a group commits form the next group, one transaction with a
/// savepoint each. Groups are formed on purpose here: ``CommitGate`` holds the first group at
/// its `COMMIT` while the next units queue behind it.
@Suite("SQLite group commit")
struct SQLiteGroupCommitTests {
    @Test("a failing unit in a group rolls back alone while the others commit")
    func aFailingUnitRollsBackAlone() async throws {
        try await withDatabasePath { path in
            // setup: group 1 is INC-1's open, held at its COMMIT
            let gate = CommitGate()
            let store = try openStore(path, hooks: gate.hooks)
            let first = Task { try await store.commit(openWork(1)) }
            try await waitUntil("group 1 is held") { gate.isHolding }
            // MUT: group 2 holds five units in this order, two of which fail after writing
            let units: [StoreUnit<String>] = [
                StoreUnit(key: .request(id: "open-2", fingerprint: nil), target: .newIncident) { input in
                    let number = try input.reserveNumber()
                    return .write(openWork(number, requestID: "open-2"), "opened \(number)")
                },
                StoreUnit(key: nil, target: .incident(1)) { _ in throw RefusedByTest() },
                StoreUnit(key: .once("digest:2026-12-01"), target: .none) { _ in
                    .write(UnitOfWork(outbox: [OutboxItem(channel: .leads, incident: nil, message: message("digest"))]), "digest")
                },
                // The same once-key again, ignoring that it is done: its posts are written, then
                // the key's insert breaks its uniqueness, and the savepoint takes the posts back.
                StoreUnit(key: .once("digest:2026-12-01"), target: .none) { _ in
                    .write(UnitOfWork(outbox: (0..<3).map { _ in OutboxItem(channel: .leads, incident: nil, message: message("again")) }), "again")
                },
                StoreUnit(key: .request(id: "open-3", fingerprint: nil), target: .newIncident) { input in
                    let number = try input.reserveNumber()
                    return .write(openWork(number, requestID: "open-3"), "opened \(number)")
                },
            ]
            let tasks = try await submitInOrder(units, to: store)
            gate.open()
            try await first.value
            var results: [Result<String, any Error>] = []
            for task in tasks { results.append(await task.result) }
            // validate
            #expect(gate.committed == [1, 5])
            #expect(try results[0].get() == "opened 2")
            #expect(throws: RefusedByTest.self) { try results[1].get() }
            #expect(try results[2].get() == "digest")
            let broken = #expect(throws: StoreError.self) { try results[3].get() }
            #expect(broken?.kind == .failure)
            #expect(try results[4].get() == "opened 3", "the failed units gave nothing back to number")
            #expect(try await rowCounts(store) == RowCounts(incidents: 3, events: 3, outbox: 4, idempotency: 3, clocks: 0))
            for number in 1...3 {
                #expect(EventChain.verify(try await store.events(of: number)))
            }
            await store.close()
        }
    }

    @Test("no caller is resumed before its group's COMMIT, and nothing is visible before it")
    func callersResumeOnlyAfterCommit() async throws {
        try await withDatabasePath { path in
            // setup
            let gate = CommitGate()
            let store = try openStore(path, hooks: gate.hooks)
            let returned = Counter()
            // MUT
            let tasks = (1...4).map { number in
                Task {
                    try await store.commit(openWork(number))
                    returned.add()
                }
            }
            try await waitUntil("a group is held") { gate.isHolding }
            // validate: while the COMMIT is held, no caller has returned and another connection
            // (another process) sees nothing
            #expect(returned.value == 0)
            let outsider = try SQLiteDatabase(path: path)
            #expect(try outsider.queryFirst("SELECT count(*) FROM incidents") { $0.int(0) } == 0)
            gate.open()
            for task in tasks { try await task.value }
            #expect(returned.value == 4)
            #expect(try outsider.queryFirst("SELECT count(*) FROM incidents") { $0.int(0) } == 4)
            #expect(gate.committed.reduce(0, +) == 4)
            await store.close()
        }
    }

    @Test("one request ID twice in a group opens one incident; two units on one incident apply in order")
    func duplicatesAndOneIncidentInOneGroup() async throws {
        try await withDatabasePath { path in
            // setup
            let gate = CommitGate()
            let store = try openStore(path, hooks: gate.hooks)
            let first = Task { try await store.commit(openWork(1)) }
            try await waitUntil("group 1 is held") { gate.isHolding }
            // MUT: group 2 opens INC-2 twice under one request ID, and notes INC-1 twice
            enum Answer: Sendable, Equatable { case opened(Int), repeated(String), noted(Int) }
            func open(_ title: String) -> StoreUnit<Answer> {
                StoreUnit(key: .request(id: "slack:T1", fingerprint: nil), target: .newIncident) { input in
                    if let stored = input.stored { return .answer(.repeated(stored.reply.message.plainText)) }
                    let number = try input.reserveNumber()
                    return .write(openWork(number, requestID: "slack:T1"), .opened(number))
                }
            }
            func note(_ text: String) -> StoreUnit<Answer> {
                let unit = noteUnit(1, text)
                return StoreUnit(key: nil, target: .incident(1)) { input in
                    switch try unit.decide(input) {
                    case let .write(work, sequence): .write(work, .noted(sequence))
                    case let .answer(sequence): .answer(.noted(sequence))
                    }
                }
            }
            let tasks = try await submitInOrder([open("a"), note("one"), open("a"), note("two")], to: store)
            gate.open()
            try await first.value
            var answers: [Answer] = []
            for task in tasks { answers.append(try await task.value) }
            // validate
            #expect(gate.committed == [1, 4])
            #expect(answers == [.opened(2), .noted(2), .repeated("Opened INC-2"), .noted(3)])
            #expect(try await rowCounts(store).incidents == 2)
            let events = try await store.events(of: 1)
            #expect(events.map { $0.payload["text"] } == [nil, "one", "two"])
            #expect(EventChain.verify(events))
            await store.close()
        }
    }

    @Test("a number reserved by a unit that only answers is given back")
    func aRefusedOpenLeavesNoGap() async throws {
        try await withStore { store, _ in
            // MUT
            let refused = try await store.perform(StoreUnit<Int>(key: .request(id: "r1", fingerprint: nil), target: .newIncident) { input in
                .answer(try input.reserveNumber())
            })
            let accepted = try await store.perform(StoreUnit<Int>(key: .request(id: "r2", fingerprint: nil), target: .newIncident) { input in
                let number = try input.reserveNumber()
                return .write(openWork(number, requestID: "r2"), number)
            })
            // validate
            #expect(refused == 1)
            #expect(accepted == 1)
            #expect(try await store.storedRequest(requestID: "r1") == nil, "an answer without a write is not remembered")
        }
    }

    @Test("a failing COMMIT fails every unit of its group and writes nothing")
    func aFailingCommitFailsTheGroup() async throws {
        try await withDatabasePath { path in
            // setup
            let gate = CommitGate()
            let store = try openStore(path, hooks: gate.hooks)
            let first = Task { try await store.commit(openWork(1)) }
            try await waitUntil("group 1 is held") { gate.isHolding }
            gate.failNextCommit(with: RefusedByTest())
            // MUT: group 1 is released and its COMMIT fails
            let tasks = try await submitInOrder([onceUnit("handoff:a", posts: 1), onceUnit("handoff:b", posts: 2)], to: store)
            gate.open()
            // validate
            await #expect(throws: (any Error).self) { try await first.value }
            // Group 2 runs after; the failure was group 1's only.
            for task in tasks { #expect(try await task.value) }
            #expect(try await rowCounts(store) == RowCounts(incidents: 0, events: 0, outbox: 3, idempotency: 0, clocks: 0))
            #expect(gate.committed == [2])
            await store.close()
        }
    }

    @Test("at low load each unit is a group of its own, with no wait for company")
    func aLoneUnitIsAGroupOfOne() async throws {
        try await withStore { store, _ in
            // MUT
            for number in 1...5 { try await store.commit(openWork(number)) }
            // validate
            let statistics = store.groupCommitStatistics
            #expect(statistics.units == 5)
            #expect(statistics.groups == 5)
            #expect(statistics.largestGroup == 1)
        }
    }

    @Test("a once-key is done once: a second digest for the day writes nothing")
    func onceKeys() async throws {
        try await withStore { store, _ in
            // MUT
            let first = try await store.perform(onceUnit("digest:2026-12-01", posts: 1))
            let second = try await store.perform(onceUnit("digest:2026-12-01", posts: 1))
            let otherDay = try await store.perform(onceUnit("digest:2026-12-02", posts: 1))
            // validate
            #expect([first, second, otherDay] == [true, false, true])
            #expect(try await rowCounts(store) == RowCounts(incidents: 0, events: 0, outbox: 2, idempotency: 0, clocks: 0))
        }
    }

    @Test("migration 8 moves digest and hand-off keys out of the idempotency records")
    func migrationMovesOnceKeys() async throws {
        try await withDatabasePath { path in
            // setup: a version 7 database with a digest's, a hand-off's and a command's record
            do {
                let database = try SQLiteDatabase(path: path)
                #expect(try SQLiteMigrations.migrate(database, upTo: 7) == Array(1...7))
                for id in ["digest:2026-12-01", "handoff:ts-primary:1790000000000", "slack:T1"] {
                    try database.run(
                        "INSERT INTO idempotency (request_id, reply, created_at_ms) VALUES (?, ?, 0)",
                        [.text(id), .text(StoreJSON.encode(Reply.ephemeral("")))])
                }
            }
            // MUT
            let store = try SQLiteIncidentStore.open(path: path)
            // validate
            #expect(try await store.perform(onceUnit("digest:2026-12-01", posts: 1)) == false)
            #expect(try await store.perform(onceUnit("handoff:ts-primary:1790000000000", posts: 1)) == false)
            #expect(try await store.storedRequest(requestID: "digest:2026-12-01") == nil)
            #expect(try await store.storedRequest(requestID: "slack:T1") != nil)
            await store.close()
        }
    }
}
