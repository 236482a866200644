import Foundation
import Testing
import VigilCore
import VigilServer
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
