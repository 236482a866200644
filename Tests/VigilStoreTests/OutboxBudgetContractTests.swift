import Foundation
import Testing
import VigilCore
@testable import VigilStore

/// Issue 10, finding 2: the budgeted claim and coalescing, at the store's port.
@Suite("Store contract: outbox channel budget")
struct OutboxBudgetContractTests {
    static func alerts(_ count: Int, _ priority: OutboxPriority, channel: ChannelRole = .oncall) -> UnitOfWork {
        UnitOfWork(
            requestID: UUID().uuidString, reply: .ephemeral("posted"), incident: nil, expectedSequence: 0, events: [],
            outbox: (0..<count).map { OutboxItem(channel: channel, incident: $0 + 1, message: message("\(priority) \($0)"), priority: priority) })
    }

    static func states(_ store: any IncidentStore) async throws -> [Int64: (state: String, coalescedInto: Int64?, claimedBy: String?)] {
        let rows = try await inspect(store, "SELECT id, state, coalesced_into, claimed_by FROM outbox ORDER BY id")
        return Dictionary(
            uniqueKeysWithValues: rows.map { row in
                var id: Int64 = -1, state = "?", into: Int64?, claimedBy: String?
                if case let .integer(value) = row[0] { id = value }
                if case let .text(value) = row[1] { state = value }
                if case let .integer(value) = row[2] { into = value }
                if case let .text(value) = row[3] { claimedBy = value }
                return (id, (state, into, claimedBy))
            })
    }

    @Test("channel budget: a claim takes the legal breach and the budget; the rest of the alerts come back as overflow",
          arguments: StoreKind.allCases)
    func channelBudgetClaim(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(Self.alerts(6, .breach))
            try await store.commit(Self.alerts(1, .legalBreach))
            try await store.commit(Self.alerts(3, .other, channel: .incidents))
            let budget = ChannelBudget(posts: 2, window: .seconds(60))

            let claim = try await store.claimOutbox(now: t0, limit: 10, worker: "w1", leaseUntil: at(30), budget: budget)

            #expect(claim.rows.map(\.id) == [7, 1, 8, 9], "legal breach, then the room left on oncall; incidents has its own budget")
            #expect(claim.rows.first?.item.priority == .legalBreach)
            let overflow = try #require(claim.overflow.first)
            #expect(claim.overflow.count == 1)
            #expect(overflow.channel == .oncall && overflow.ids == [2, 3, 4, 5, 6])
            #expect(overflow.counts == [.breach: 5])
            #expect(overflow.incidents == [2, 3, 4, 5, 6])
            let states = try await Self.states(store)
            #expect(states[2]?.claimedBy == "w1", "overflow is leased so no other worker folds it too")
            #expect(states[10]?.claimedBy == nil && states[10]?.state == "pending", "the third lifecycle post waits")
        }
    }

    /// A backlog under budget but larger than one claim (a burst of opens) must cost a pass no
    /// more than the rows it takes: rows left for the next pass were once counted against the
    /// budget and pushed back a window each, one write per row per pass, which starved commands.
    @Test("channel budget: rows beyond the claim's limit use no room and are not pushed back",
          arguments: StoreKind.allCases)
    func rowsBeyondTheLimitAreLeftAsTheyAre(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(Self.alerts(50, .other, channel: .incidents))
            // Room for 30: the claim takes 20, and the 30 behind it are not "over" the budget.
            let budget = ChannelBudget(posts: 30, window: .seconds(1))

            let claim = try await store.claimOutbox(now: t0, limit: 20, worker: "w1", leaseUntil: at(30), budget: budget)

            #expect(claim.rows.map(\.id) == Array(1...20))
            #expect(claim.overflow.isEmpty)
            let pushedBack = try await integer(
                store, "SELECT count(*) FROM outbox WHERE next_attempt_at_ms > ?", [.integer(StoreTime.milliseconds(t0))])
            #expect(pushedBack == 0, "the 30 rows behind the claim stay due for the next pass")
        }
    }

    @Test("channel budget: coalescing records the summary's id and skips rows another worker took",
          arguments: StoreKind.allCases)
    func channelBudgetCoalescing(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.commit(Self.alerts(5, .warning))
            let claim = try await store.claimOutbox(
                now: t0, limit: 10, worker: "w1", leaseUntil: at(30), budget: ChannelBudget(posts: 1, window: .seconds(60)))
            let ids = try #require(claim.overflow.first?.ids)
            #expect(ids == [2, 3, 4, 5])
            // Row 5's lease ran out and another worker took it.
            try await tamper(store, "UPDATE outbox SET claimed_by = 'w2' WHERE id = 5")

            let summary = OutboxItem(channel: .oncall, incident: nil, message: message("…and 3 more"), priority: .summary)
            let summaryID = try #require(try await store.coalesceOutbox(ids, into: summary, worker: "w1", at: at(1)))

            let states = try await Self.states(store)
            #expect(summaryID == 6 && states[6]?.state == "pending")
            for id: Int64 in [2, 3, 4] { #expect(states[id]?.state == "delivered" && states[id]?.coalescedInto == 6) }
            #expect(states[5]?.state == "pending" && states[5]?.coalescedInto == nil)
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 3, deadLettered: 0), "rows 1, 5 and the summary")
            #expect(try await store.coalesceOutbox([2, 3], into: summary, worker: "w1", at: at(2)) == nil, "nothing left to fold")
        }
    }

    /// SQLite only: PostgreSQL's schema starts at SQLite's version 9.
    @Test("channel budget: rows written before migration 5 read back as ordinary posts (SQLite)")
    func channelBudgetUpgrade() async throws {
        try await withDatabasePath { path in
            let database = try SQLiteDatabase(path: path)
            try SQLiteMigrations.migrate(database, upTo: 4)
            try database.run(
                "INSERT INTO outbox (channel, incident, message, created_at_ms, next_attempt_at_ms) VALUES ('oncall', 3, ?, ?, ?)",
                [.text(StoreJSON.encode(message("old alert"))), .integer(StoreTime.milliseconds(t0)), .integer(StoreTime.milliseconds(t0))])

            let store = try SQLiteIncidentStore.open(path: path, now: { t0 })
            let claim = try await store.claimOutbox(
                now: at(1), limit: 10, worker: "w", leaseUntil: at(30), budget: ChannelBudget(posts: 20, window: .seconds(60)))
            #expect(claim.rows.map(\.item) == [OutboxItem(channel: .oncall, incident: 3, message: message("old alert"), priority: .other)])
            await store.close()
        }
    }
}
