import Foundation
import Logging
import Testing
import VigilConfig
import VigilCore
import VigilServer
import VigilStore
import VigilTestSupport

/// Issue 10, finding 2 ("real alerts queue behind the flood"): each channel's rate budget, the
/// summary that folds what is over it, and delivery in priority order, over the real store.
@Suite struct ChannelBudgetTests {
    /// A store whose clock is the test's manual clock, so rows are due exactly when it says.
    struct Harness {
        let directory: URL
        let path: String
        let store: SQLiteIncidentStore
        let clock = ManualWallClock(Fixtures.t0)
        let console = RecordingConsole()

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-budget-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("vigil.sqlite").path
            let clock = clock
            store = try SQLiteIncidentStore.open(path: path, now: { clock.now })
        }

        func delivery(budget: ChannelBudget?) -> OutboxDelivery<ContinuousClock> {
            var settings = DeliverySettings(maxAttempts: 3, baseDelay: .seconds(2), maxDelay: .seconds(60))
            settings.budget = budget
            var logger = Logger(label: "budget-test")
            logger.logLevel = .critical
            let clock = clock
            return OutboxDelivery(
                store: store, transport: UnusedTransport(), channels: [:], console: console, settings: settings,
                clock: ContinuousClock(), now: { clock.now }, jitter: { 0 }, logger: logger, worker: "test",
                displayID: { "INC-\($0)" })
        }

        func post(_ items: [OutboxItem]) async throws {
            try await store.commit(UnitOfWork(
                requestID: UUID().uuidString, reply: .ephemeral("posted"), incident: nil, expectedSequence: 0, events: [],
                outbox: items))
        }

        func count(_ sql: String) throws -> Int {
            try SQLiteDatabase(path: path).queryFirst(sql) { $0.int(0) ?? -1 } ?? -1
        }

        func cleanUp() async {
            await store.close()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func item(_ text: String, _ priority: OutboxPriority, incident: Int? = nil, channel: ChannelRole = .oncall) -> OutboxItem {
        OutboxItem(channel: channel, incident: incident, message: Message(lines: [[.text(text)]]), priority: priority)
    }

    @Test func channelBudgetFoldsAFloodIntoOneSummaryAndNeverTheLegalBreach() async throws {
        // setup: 499 alerts for 50 incidents, then a legal-clock breach written last.
        let harness = try Harness()
        var items = (0..<499).map { Self.item("alert \($0)", $0.isMultiple(of: 2) ? .warning : .breach, incident: $0 % 50 + 1) }
        items.append(Self.item("LEGAL NCMEC breach", .legalBreach, incident: 7))
        try await harness.post(items)
        let delivery = harness.delivery(budget: ChannelBudget(posts: 20, window: .seconds(60)))

        // MUT
        let first = try await delivery.deliverDue()
        let second = try await delivery.deliverDue()
        let third = try await delivery.deliverDue()

        // validate: budget posts, then the one summary, then nothing.
        #expect(first == DeliveryPass(delivered: 20, coalesced: 480))
        #expect(second == DeliveryPass(delivered: 1))
        #expect(third == DeliveryPass())
        let posts = harness.console.all.map(\.text)
        #expect(posts.count == 21)
        #expect(posts.first == "LEGAL NCMEC breach", "the legal breach goes first")
        #expect(posts[1..<20].allSatisfy { Int($0.dropFirst("alert ".count))!.isMultiple(of: 2) == false }, "breaches before warnings")
        let summary = try #require(posts.last)
        #expect(summary.hasPrefix("…and 480 more alerts: /incident list breached"), "\(summary)")
        #expect(summary.contains("230 breaches, 250 warnings"), "\(summary)")
        #expect(summary.contains("on INC-1, INC-2, INC-3, INC-4, INC-5, INC-6, INC-7, INC-8 and 42 more incidents"), "\(summary)")
        // Folded rows are recorded as delivered by coalescing, pointing at the summary row.
        #expect(try harness.count(
            "SELECT count(*) FROM outbox WHERE state = 'delivered' AND coalesced_into = (SELECT max(id) FROM outbox)") == 480)
        #expect(try harness.count("SELECT count(*) FROM outbox WHERE state = 'delivered'") == 501)
        #expect(try await harness.store.outboxHealth() == OutboxHealth(pending: 0, deadLettered: 0))
        await harness.cleanUp()
    }

    @Test func channelBudgetAllowsOneSummaryPerWindow() async throws {
        let harness = try Harness()
        let delivery = harness.delivery(budget: ChannelBudget(posts: 20, window: .seconds(60)))
        try await harness.post((0..<30).map { Self.item("first \($0)", .breach) })
        #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 20, coalesced: 10))
        #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 1))
        // A second wave inside the same window waits: the window already had its summary.
        harness.clock.advance(by: 10)
        try await harness.post((0..<30).map { Self.item("second \($0)", .breach) })
        #expect(try await delivery.deliverDue() == DeliveryPass())
        #expect(try await harness.store.nextOutboxDue() == Fixtures.t0 + 60)
        #expect(harness.console.all.count == 21)
        // Once the window has moved on: budget posts and one summary again.
        harness.clock.advance(by: 50)
        #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 20, coalesced: 10))
        #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 1))
        #expect(harness.console.all.last?.text.hasPrefix("…and 10 more alerts") == true)
        await harness.cleanUp()
    }

    @Test func channelBudgetDeliversByPriorityThenAge() async throws {
        let harness = try Harness()
        try await harness.post([
            Self.item("opened", .other, channel: .oncall), Self.item("warning", .warning), Self.item("breach 1", .breach),
            Self.item("escalation", .escalation), Self.item("legal", .legalBreach), Self.item("breach 2", .breach),
        ])
        #expect(try await harness.delivery(budget: ChannelBudget()).deliverDue() == DeliveryPass(delivered: 6))
        #expect(harness.console.all.map(\.text) == ["legal", "breach 1", "breach 2", "escalation", "warning", "opened"])
        await harness.cleanUp()
    }

    @Test func channelBudgetPacesLifecyclePostsWithoutFoldingThem() async throws {
        let harness = try Harness()
        let delivery = harness.delivery(budget: ChannelBudget(posts: 20, window: .seconds(60)))
        try await harness.post((0..<30).map { Self.item("INC-\($0 + 1) opened", .other, channel: .incidents) })
        #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 20))
        #expect(try await harness.store.outboxHealth() == OutboxHealth(pending: 10, deadLettered: 0))
        #expect(try await delivery.deliverDue() == DeliveryPass(), "they wait for room, not for a summary")
        harness.clock.advance(by: 60)
        #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 10))
        #expect(harness.console.all.map(\.text) == (0..<30).map { "INC-\($0 + 1) opened" })
        await harness.cleanUp()
    }

    @Test func channelBudgetNeverHoldsBackLegalBreaches() async throws {
        let harness = try Harness()
        let delivery = harness.delivery(budget: ChannelBudget(posts: 5, window: .seconds(60)))
        try await harness.post((0..<8).map { Self.item("breach \($0)", .breach) } + (0..<25).map { Self.item("legal \($0)", .legalBreach) })
        // The batch of 20 is all legal breaches; the ordinary ones are over the budget and folded.
        #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 20, coalesced: 8))
        #expect(try await delivery.deliverDue() == DeliveryPass(delivered: 6), "the last 5 legal breaches and the summary")
        let posts = harness.console.all.map(\.text)
        #expect(posts.filter { $0.hasPrefix("legal") }.count == 25)
        #expect(posts.last?.hasPrefix("…and 8 more alerts") == true)
        await harness.cleanUp()
    }
}
