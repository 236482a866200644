import Foundation
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// Issue 10, finding 2, end to end over the real store: the scheduler after 30 days of downtime,
/// and an incident opened long after the team learned of it, each fire once per clock.
@Suite struct CatchUpSchedulerTests {
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.severities = [
            Severity(name: "sev1", ack: .seconds(300), resolve: .seconds(4 * 3600), warn: [0.5, 0.9], repeat: .seconds(600)),
            Severity(name: "sev2", ack: .seconds(1800), resolve: .seconds(24 * 3600)),
        ]
        return policy
    }()

    func open(_ vigil: TestVigil, _ text: String) async -> Reply {
        await vigil.app.desk.handle(Invocation(
            platform: "slack", user: Fixtures.ava, channelName: "ts", channelID: "C1", command: "/incident", text: text,
            responseURL: nil, requestID: UUID().uuidString))
    }

    /// Runs scheduler passes until nothing is due (at most `passes`, so a flood ends the test).
    func fireUntilIdle(_ vigil: TestVigil, passes: Int = 5) async throws -> Int {
        var fired = 0
        for _ in 0..<passes {
            let count = try await vigil.app.scheduler.fireDue()
            fired += count
            if count == 0 { break }
        }
        return fired
    }

    func oncallPosts(_ vigil: TestVigil) async throws -> [String] {
        while try await vigil.app.delivery.deliverDue() != DeliveryPass() {}
        return vigil.console.all.filter { $0.channel == "oncall" }.map(\.text)
    }

    /// The incident's running clocks (ack, resolve, and the steps of the playbook `open` attached).
    func runningClocks(_ vigil: TestVigil) async throws -> [ClockRow] {
        try await vigil.store.clocks(of: 1).filter { $0.state == .running }
    }

    @Test func catchUpAfterThirtyDaysOfDowntimeSendsOneAlertPerClock() async throws {
        // setup
        let vigil = try TestVigil(policy: Self.policy)
        defer { vigil.cleanUp() }
        // A type word, so that the incident has its playbook and its step clocks (`fraud` alone
        // has several playbooks to choose from and would attach none).
        #expect(await open(vigil, "open sev1 card-testing Card testing spike").visibility == .inChannel)
        let clocks = try await runningClocks(vigil)
        #expect(clocks.count >= 2)
        vigil.clock.advance(by: 30 * 86_400)
        // MUT
        let fired = try await fireUntilIdle(vigil)
        // validate: every clock, once.
        #expect(fired == clocks.count)
        let breaches = try await vigil.store.events(of: 1).filter { $0.kind == .clockBreached }
        #expect(Set(breaches.compactMap { $0.payload["clock"] }) == Set(clocks.map(\.name)))
        #expect(breaches.count == clocks.count)
        #expect(breaches.first { $0.payload["clock"] == "ack" }?.payload["missed_repeats"] == "4319")
        let posts = try await oncallPosts(vigil)
        #expect(posts.count == clocks.count, "\(posts)")
        for post in posts {
            #expect(post.contains("(Vigil was not running)"), "\(post)")
            #expect(post.contains("repeats missed while Vigil was not running; next repeat"), "\(post)")
        }
        // The schedule resumes from now: the ack clock's next repeat is 5 min ahead (its regular
        // slot), and a clock fires again only at its own next slot, once.
        let now = vigil.clock.now
        #expect(try await vigil.store.nextClockFireAt() == now + 300)
        vigil.clock.advance(by: 300)
        let again = try await fireUntilIdle(vigil)
        #expect(again >= 1 && again < clocks.count, "only the clocks whose slot this is")
        let repeated = try await oncallPosts(vigil).dropFirst(posts.count)
        #expect(repeated.count == again)
        #expect(repeated.contains { $0.contains("ack target still breached") })
        #expect(repeated.allSatisfy { $0.contains("still breached") && !$0.contains("missed") && !$0.contains("late") }, "\(repeated)")
        #expect(try await vigil.store.nextClockFireAt()! > vigil.clock.now)
    }

    @Test func catchUpForAKnownAtLongAgoSaysTheIncidentWasOpenedLate() async throws {
        let vigil = try TestVigil(policy: Self.policy)
        defer { vigil.cleanUp() }
        // Twenty days before t0 (2026-11-28 21:40 UTC).
        let reply = await open(vigil, #"open sev1 card-testing Old case --known "2026-11-08 21:40""#)
        #expect(reply.visibility == .inChannel, "\(reply.message.plainText)")
        let due = try await runningClocks(vigil).filter { $0.nextFireAt.map { $0 <= vigil.clock.now } ?? false }
        #expect(due.contains { $0.name == "ack" } && due.contains { $0.name == "resolve" })
        #expect(try await fireUntilIdle(vigil) == due.count)
        let posts = try await oncallPosts(vigil)
        #expect(posts.count == due.count, "\(posts)")
        for post in posts {
            #expect(post.contains("INC-1 was opened 20 d after the team learned of it; its "), "\(post)")
            #expect(post.contains("was already breached"), "\(post)")
            #expect(!post.contains("not running"), "\(post)")
        }
    }
}
