import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// Reply rows: deferred chat replies kept in the outbox with their per-request destination, on
/// both stores.
@Suite("Store contract: outbox reply rows")
struct OutboxReplyContractTests {
    /// A destination whose body needs escaping, expiring `expiresIn` seconds after t0.
    static func destination(_ n: Int = 1, platform: String = "slack", expiresIn: Double = 1800) -> ReplyDestination {
        ReplyDestination(
            platform: platform, method: platform == "discord" ? "PATCH" : "POST",
            url: "https://hooks.example.com/commands/T1/\(n)/secret-token-\(n)",
            body: #"{"response_type":"in_channel","text":"INC-\#(n) opened — \"Card\" testing\nline two"}"#,
            expiresAt: at(expiresIn))
    }

    /// The stored `destination` column of row `id`: `.null` once the row is finished.
    static func storedDestination(_ id: Int64, in store: any IncidentStore) async throws -> SQLiteValue? {
        try await inspect(store, "SELECT destination FROM outbox WHERE id = ?", [.integer(id)]).first?.first
    }

    @Test("a reply row reads back as written, under the reserved channel, most urgent first", arguments: StoreKind.allCases)
    func roundTrip(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // setup: a legal breach is waiting already
            try await store.commit(OutboxBudgetContractTests.alerts(1, .legalBreach))
            let item = OutboxItem(reply: Self.destination(), incident: 4)

            // MUT
            let id = try await store.enqueue(item, at: at(1))

            // validate
            #expect(id == 2)
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 2, deadLettered: 0))
            #expect(try await store.nextOutboxDue() == t0)
            let rows = try await store.claimOutbox(now: at(1), limit: 10, worker: "w1", leaseUntil: at(30))
            #expect(rows.map(\.id) == [2, 1], "a reply goes before everything else")
            #expect(rows.first == OutboxRow(id: 2, item: item, createdAt: at(1), attempts: 0))
            #expect(rows.first?.item.channel == nil && rows.first?.item.priority == .reply)
            #expect(rows.last?.item.destination == nil && rows.last?.item.channel == .oncall)
            let stored = try await inspect(store, "SELECT channel, priority FROM outbox WHERE id = 2").first
            #expect(stored == [.text("reply"), .integer(60)])
        }
    }

    @Test("reply rows are claimed while every channel's budget is used up, and never folded", arguments: StoreKind.allCases)
    func repliesBypassTheBudget(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // setup: the incidents channel used its budget of 2; 3 more posts and 3 replies wait.
            let budget = ChannelBudget(posts: 2, window: .seconds(60))
            try await store.commit(OutboxBudgetContractTests.alerts(2, .other, channel: .incidents))
            let posted = try await store.claimOutbox(now: t0, limit: 10, worker: "w1", leaseUntil: at(30), budget: budget)
            try await store.markDelivered(posted.rows.map(\.id), at: at(1))
            try await store.commit(OutboxBudgetContractTests.alerts(3, .breach, channel: .incidents))
            var replies: [Int64] = []
            for n in 1...3 { replies.append(try await store.enqueue(OutboxItem(reply: Self.destination(n)), at: at(2))) }

            // MUT
            let claim = try await store.claimOutbox(now: at(2), limit: 10, worker: "w1", leaseUntil: at(30), budget: budget)

            // validate
            #expect(claim.rows.map(\.id) == replies)
            #expect(claim.overflow.map(\.ids) == [[3, 4, 5]], "the channel's alerts are folded; the replies are not")
        }
    }

    @Test("a finished reply row keeps no destination: delivered, dead-lettered, or unreadable", arguments: StoreKind.allCases)
    func finishedRowsForgetTheAddress(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // setup
            var ids: [Int64] = []
            for n in 1...4 { ids.append(try await store.enqueue(OutboxItem(reply: Self.destination(n)), at: t0)) }
            try await tamper(store, "UPDATE outbox SET message = 'garbage' WHERE id = ?", [.integer(ids[3])])
            let rows = try await store.claimOutbox(now: t0, limit: 10, worker: "w1", leaseUntil: at(30))
            #expect(rows.map(\.id) == Array(ids.prefix(3)))

            // MUT
            try await store.markDelivered(ids[0], at: at(1))
            try await store.deadLetter(ids[1], attempts: 1, error: "HTTP 404: expired_url", at: at(1))

            // validate
            #expect(try await Self.storedDestination(ids[0], in: store) == .null)
            #expect(try await Self.storedDestination(ids[1], in: store) == .null)
            #expect(try await Self.storedDestination(ids[2], in: store) == .text(StoreJSON.encode(destination: Self.destination(3))))
            #expect(try await Self.storedDestination(ids[3], in: store) == .null, "dead-lettered by the claim")
            #expect(try await store.outboxHealth() == OutboxHealth(pending: 1, deadLettered: 2))
        }
    }

    @Test("a destination is stored as JSON that decodes strictly, and its description hides the address")
    func destinationJSON() throws {
        let destination = Self.destination(7, platform: "discord")
        let text = StoreJSON.encode(destination: destination)
        #expect(try StoreJSON.decodeDestination(text) == destination)
        #expect(throws: RowDecodingError.self) { try StoreJSON.decodeDestination(#"{"platform":"slack"}"#) }
        #expect(throws: RowDecodingError.self) {
            try StoreJSON.decodeDestination(text.replacingOccurrences(of: #""platform""#, with: #""extra":1,"platform""#))
        }
        #expect(!"\(destination)".contains("secret") && !String(reflecting: destination).contains("secret"))
        #expect(!"\(OutboxItem(reply: destination))".contains("secret"))
    }

    /// SQLite only: PostgreSQL's schema has no version 9 of its own.
    @Test("a version 9 SQLite file upgrades: its pending posts read back as channel posts, and replies can be queued")
    func upgradeFromVersion9() async throws {
        try await withDatabasePath { path in
            // setup
            let database = try SQLiteDatabase(path: path)
            #expect(try SQLiteMigrations.migrate(database, upTo: 9) == Array(1...9))
            let now = SQLiteValue.integer(StoreTime.milliseconds(t0))
            try database.run(
                "INSERT INTO outbox (channel, incident, message, created_at_ms, next_attempt_at_ms, priority) VALUES ('oncall', 3, ?, ?, ?, 30)",
                [.text(StoreJSON.encode(message("old alert"))), now, now])

            // MUT
            let store = try SQLiteIncidentStore.open(path: path, now: { t0 })
            let reply = try await store.enqueue(OutboxItem(reply: Self.destination()), at: t0)

            // validate
            #expect(try await store.read { try SQLiteMigrations.appliedVersion($0) } == SQLiteMigrations.latestVersion)
            let rows = try await store.claimOutbox(now: at(1), limit: 10, worker: "w", leaseUntil: at(30))
            #expect(rows.map(\.id) == [reply, 1])
            #expect(rows.last?.item == OutboxItem(channel: .oncall, incident: 3, message: message("old alert"), priority: .breach))
            #expect(rows.first?.item.destination == Self.destination())
            await store.close()
        }
    }

    @Test("vigil db copy keeps a pending reply's destination, and the copy can deliver it")
    func copyKeepsTheDestination() async throws {
        try await withDatabasePath { sourcePath in
            // setup: a pending reply, a delivered one, and a channel post
            let source = try SQLiteIncidentStore.open(path: sourcePath, now: { t0 })
            let delivered = try await source.enqueue(OutboxItem(reply: Self.destination(1)), at: t0)
            _ = try await source.claimOutbox(now: t0, limit: 1, worker: "w", leaseUntil: at(30))
            try await source.markDelivered(delivered, at: at(1))
            let pending = try await source.enqueue(OutboxItem(reply: Self.destination(2, platform: "discord")), at: at(2))
            try await source.commit(postWork(requestID: "posts", count: 1))
            let postgres = try await openPostgresStore()

            // MUT
            let report = try await StoreCopy.copy(from: source, to: postgres, pageSize: 2)

            // validate
            #expect(report.rows["outbox"] == 3)
            let query = "SELECT id, channel, destination FROM outbox ORDER BY id"
            #expect(try await inspect(postgres, query) == (try await inspect(source, query)))
            let rows = try await postgres.claimOutbox(now: at(3), limit: 10, worker: "w", leaseUntil: at(30))
            #expect(rows.map(\.id) == [pending, 3])
            #expect(rows.first?.item == OutboxItem(reply: Self.destination(2, platform: "discord")))
            await postgres.close()
            await source.close()
        }
    }
}
