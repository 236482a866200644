import Foundation
import Testing
import VigilCore
import VigilServer
import VigilStore
import VigilTestSupport

/// The scheduler over the real store with the wall clock moved by hand.
@Suite struct ClockSchedulerTests {
    /// Opens with a type word, so that the incident has its playbook (fraud has several, and
    /// `fraud` alone would open it with none and a playbook-choice reminder).
    func open(_ vigil: TestVigil, _ text: String = "open sev1 card-testing Card testing spike") async -> Reply {
        await vigil.app.desk.handle(Invocation(
            platform: "slack", user: Fixtures.ava, channelName: "ts", channelID: "C1", command: "/incident", text: text,
            responseURL: nil, requestID: UUID().uuidString))
    }

    @Test func firesEachDueClockOnceAndRecordsItOnTheIncident() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        _ = await open(vigil)
        #expect(try await vigil.app.scheduler.fireDue() == 0, "nothing is due yet")
        #expect(try await vigil.store.nextClockFireAt() == Fixtures.t0 + 300)
        vigil.clock.advance(by: 300)
        #expect(try await vigil.app.scheduler.fireDue() == 1)
        #expect(try await vigil.app.scheduler.fireDue() == 0, "a fired clock with no repeat is done")
        let events = try await vigil.store.events(of: 1)
        #expect(events.map(\.kind) == [.opened, .clockBreached])
        #expect(EventChain.verify(events))
        _ = try await vigil.app.delivery.deliverDue()
        let oncall = vigil.console.all.filter { $0.channel == "oncall" }.map(\.text)
        #expect(oncall.count == 1)
        #expect(oncall.first?.hasPrefix("🚨 INC-1 · SEV1 · fraud — Card testing spike · ack target breached") == true)
    }

    @Test func anAckBeforeTheDeadlineMeansNoAlert() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        _ = await open(vigil)
        vigil.clock.advance(by: 120)
        _ = await vigil.app.desk.handle(Invocation(
            platform: "slack", user: Fixtures.ben, channelName: "ts", channelID: "C1", command: "/incident", text: "ack 1",
            responseURL: nil, requestID: UUID().uuidString))
        vigil.clock.advance(by: 600)
        #expect(try await vigil.app.scheduler.fireDue() == 0)
        #expect(try await vigil.store.clocks(of: 1).first { $0.name == "ack" }?.state == .met)
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened, .acknowledged])
    }

    @Test func listBreachedAndStatusReadTheClocks() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        _ = await open(vigil)
        _ = await open(vigil, "open sev3 moderation Slow burn")
        vigil.clock.advance(by: 420)
        let list = await vigil.app.desk.handle(Invocation(
            platform: "slack", user: Fixtures.ava, channelName: "ts", channelID: "C1", command: "/incident", text: "list breached",
            responseURL: nil, requestID: UUID().uuidString))
        #expect(list.message.plainText.contains("1 open incidents past a target"))
        #expect(list.message.plainText.contains("INC-1 · open · SEV1 · fraud — Card testing spike · ack 2 min overdue (due 21:45 UTC)"))
        #expect(!list.message.plainText.contains("INC-2"))
    }
}

/// A firing the store refuses does not stop the rest of its batch, and its row is released.
@Suite struct ClockSchedulerFailureTests {
    @Test func aRowThatFailsIsReleasedAndTheRestOfTheBatchFires() async throws {
        // setup: three incidents whose ack clocks come due together; INC-2's next event number
        // is taken behind the store's back, so its firing cannot be written
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        for title in ["One", "Two", "Three"] {
            _ = await vigil.app.desk.handle(Invocation(
                platform: "slack", user: Fixtures.ava, channelName: "ts", channelID: "C1", command: "/incident",
                text: "open sev1 card-testing \(title)", responseURL: nil, requestID: UUID().uuidString))
        }
        let opened = try #require(try await vigil.store.events(of: 2).first)
        let database = try SQLiteDatabase(path: vigil.directory.appendingPathComponent("vigil.sqlite").path)
        try database.setBusyTimeout(milliseconds: 5000)
        try database.run(
            """
            INSERT INTO events (incident, sequence, kind, actor_id, actor_name, at_ms, payload, previous_hash, hash)
            SELECT incident, 2, kind, actor_id, actor_name, at_ms, payload, hash, hash FROM events WHERE incident = 2 AND sequence = 1
            """)
        #expect(opened.sequence == 1)
        vigil.clock.advance(by: 300)
        // MUT
        #expect(try await vigil.app.scheduler.fireDue() == 3)
        // validate: INC-1 and INC-3 fired; INC-2's row is unfired, running and free to claim
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened, .clockBreached])
        #expect(try await vigil.store.events(of: 3).map(\.kind) == [.opened, .clockBreached])
        let ack = try #require(try await vigil.store.clocks(of: 2).first { $0.name == "ack" })
        #expect(ack.state == .running && ack.alertsSent == 0)
        let lease = try database.queryFirst("SELECT claimed_by FROM clocks WHERE incident = 2 AND name = 'ack'") { $0.text(0) }
        #expect(lease == .some(nil), "released, not left leased until the lease runs out")
    }
}
