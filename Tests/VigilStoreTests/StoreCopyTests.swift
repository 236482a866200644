import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// `vigil db copy`: a store made by the fixtures goes SQLite → PostgreSQL → SQLite and comes back
/// whole, with its chains verified on the way.
@Suite("vigil db copy")
struct StoreCopyTests {
    /// A history with every kind of row: incidents with chains of several events, clocks (one
    /// under a lease), pending and delivered posts, a request record and a once-key.
    private func fill(_ store: any IncidentStore) async throws {
        for number in 1...5 {
            var work = openWork(number)
            work.clocks = [
                clock(number, "ack", .ack, due: 300, fire: 240), clock(number, "legal", .legal, due: 3600, rule: "tco", fire: 3000),
            ]
            try await store.commit(work)
        }
        for number in [2, 4] {
            let incident = try #require(try await store.incident(number))
            try await store.commit(ackWork(incident, by: ben, requestID: "ack-\(number)"))
        }
        try await store.commit(postWork(requestID: "posts", count: 3))
        try await store.perform(
            StoreUnit<Bool>(key: .once("digest:2026-09-21"), target: .none) { input in
                input.alreadyDone
                    ? .answer(false)
                    : .write(UnitOfWork(outbox: [OutboxItem(channel: .leads, incident: nil, message: message("digest"))]), true)
            })
        let claimed = try await store.claimOutbox(now: at(86_400), limit: 2, worker: "w", leaseUntil: at(86_430))
        try await store.markDelivered(claimed.map(\.id), at: at(86_401))
        _ = try await store.claimDueClocks(now: at(240), limit: 1, worker: "w", leaseUntil: at(270))
        let override = try await store.recordOncallOverride(
            NewOncallOverride(
                schedules: ["ts-primary"], who: ben, covers: UserRef(id: "U0AVA", name: "ava", platform: "slack"), from: at(0),
                until: at(86_400), createdBy: ben, createdAt: at(0), approved: false, requestID: "cover-1"))
        _ = try await store.cancelOncallOverride(id: override.id, by: ben, at: at(60))
    }

    /// Everything a copy must keep.
    private struct Snapshot: Equatable {
        var records: [IncidentRecord] = []
        var health: OutboxHealth?
        var reply: Reply?
        var outbox: [[SQLiteValue]] = []
        var onceKeys: [[SQLiteValue]] = []
        var overrides: [[SQLiteValue]] = []
    }

    private func snapshot(_ store: any IncidentStore) async throws -> Snapshot {
        var snapshot = Snapshot()
        for number in 1...5 { snapshot.records.append(try #require(try await store.incidentRecord(number))) }
        snapshot.health = try await store.outboxHealth()
        snapshot.reply = try await store.storedReply(requestID: "ack-2")
        snapshot.outbox = try await inspect(store, "SELECT id, channel, state, message, delivered_at_ms FROM outbox ORDER BY id")
        snapshot.onceKeys = try await inspect(store, "SELECT key, created_at_ms FROM once_keys")
        snapshot.overrides = try await inspect(store, "SELECT * FROM oncall_overrides ORDER BY id")
        return snapshot
    }

    @Test("a store copied into PostgreSQL and back into SQLite reads back the same, chains verified each way")
    func roundTrip() async throws {
        try await withDatabasePath { sourcePath in
            let source = try SQLiteIncidentStore.open(path: sourcePath, now: { t0 })
            try await fill(source)
            let expected = try await snapshot(source)

            let postgres = try await openPostgresStore()
            let there = try await StoreCopy.copy(from: source, to: postgres, pageSize: 3)
            #expect(there.verifiedIncidents == 5)
            #expect(there.rows["events"] == 7 && there.rows["clocks"] == 10 && there.rows["outbox"] == 11)
            #expect(try await snapshot(postgres) == expected)
            // Leases stay behind; the next outbox id follows the copied ones.
            #expect(try await integer(postgres, "SELECT count(*) FROM clocks WHERE claimed_by IS NOT NULL") == 0)
            try await postgres.commit(postWork(requestID: "after", count: 1))
            #expect(try await integer(postgres, "SELECT max(id) FROM outbox") == 12)
            // The incident counter came along: the next number is 6.
            #expect(try await postgres.reserveIncidentNumber() == 6)
            // Overrides came along, and the next one follows the copied one.
            let next = try await postgres.recordOncallOverride(
                NewOncallOverride(
                    schedules: ["ts-primary"], who: ben, covers: ben, from: at(0), until: at(60), createdBy: ben, createdAt: at(0),
                    approved: true))
            #expect(next.id == 2)
            _ = try await postgres.cancelOncallOverride(id: next.id, by: ben, at: at(1))

            try await withDatabasePath { backPath in
                let back = try SQLiteIncidentStore.open(path: backPath, now: { t0 })
                let report = try await StoreCopy.copy(from: postgres, to: back, pageSize: 2)
                #expect(report.verifiedIncidents == 5)
                // As it was, but for the post written in PostgreSQL after the first copy.
                var again = try await snapshot(back)
                #expect(again.outbox.count == expected.outbox.count + 1)
                again.outbox.removeLast()
                again.overrides.removeLast()
                again.health = expected.health
                #expect(again == expected)
                await back.close()
            }
            await postgres.close()
            await source.close()
        }
    }

    @Test("a target that already holds history is refused, and nothing is written to it", arguments: StoreKind.allCases)
    func refusesNonEmptyTarget(kind: StoreKind) async throws {
        try await withDatabasePath { sourcePath in
            let source = try SQLiteIncidentStore.open(path: sourcePath, now: { t0 })
            try await fill(source)
            try await withStore(kind) { target in
                try await target.commit(openWork(9))
                let before = try await rowCounts(target)
                let error = await #expect(throws: StoreError.self) {
                    try await StoreCopy.copy(from: source, to: target as! any StoreCopyEndpoint)
                }
                #expect(error?.message.contains("not empty") == true)
                #expect(try await rowCounts(target) == before)
            }
            await source.close()
        }
    }

    @Test("a copy whose chain was tampered with in the source fails verification")
    func tamperedChainFails() async throws {
        try await withDatabasePath { sourcePath in
            let source = try SQLiteIncidentStore.open(path: sourcePath, now: { t0 })
            try await fill(source)
            try await tamper(source, #"UPDATE events SET payload = '{"text":"rewritten"}' WHERE incident = 2 AND sequence = 2"#)
            let postgres = try await openPostgresStore()
            let error = await #expect(throws: StoreError.self) { try await StoreCopy.copy(from: source, to: postgres) }
            #expect(error?.message.contains("incident 2") == true)
            await postgres.close()
            await source.close()
        }
    }
}
