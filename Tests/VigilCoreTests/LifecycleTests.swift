import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Every transition of the state machine, allowed and refused.
@Suite struct LifecycleTests {
    let parser: CommandParser

    init() throws {
        parser = try Fixtures.parser()
    }

    /// Runs `text` against `incident` as `actor` at `now`.
    func run(_ text: String, on incident: Incident?, by actor: UserRef = Fixtures.ava, at now: Date = Fixtures.t0, number: Int = 57)
        throws -> Outcome
    {
        try Fixtures.apply(text, to: incident, by: actor, at: now, number: number, parser: parser)
    }

    func opened(_ text: String = "open sev1 fraud Payout destination changed --ref ZD-88213", number: Int = 57) throws -> Incident {
        try run(text, on: nil, number: number).incident
    }

    func incident(in state: IncidentState) throws -> Incident {
        var incident = try opened()
        if state != .open { incident = try run("ack 57", on: incident, at: Fixtures.t0 + 60).incident }
        if state == .resolved { incident = try run("resolve 57 Payout reverted", on: incident, at: Fixtures.t0 + 120).incident }
        return incident
    }

    // MARK: - open

    @Test func openCreatesAnIncidentAnnouncesItAndRepliesInChannel() throws {
        let outcome = try run("open sev1 fraud Payout destination changed --ref ZD-88213", on: nil, number: 57)
        #expect(outcome.incident.state == .open)
        #expect(outcome.incident.level == 1)
        #expect(outcome.incident.reporter == Fixtures.ava)
        #expect(outcome.incident.refs == ["ZD-88213"])
        #expect(outcome.events.map(\.kind) == [.opened])
        #expect(outcome.events[0].sequence == 1)
        #expect(outcome.expectedSequence == 0)
        #expect(outcome.reply.visibility == .inChannel)
        let text = outcome.reply.message.plainText
        #expect(text.contains("INC-57 opened · SEV1 · fraud — Payout destination changed"))
        #expect(text.contains("ref ZD-88213"))
        #expect(text.contains("ack due 21:45"))
        #expect(outcome.outbox.map(\.channel) == [.incidents])
    }

    @Test func openWithKnownInThePastStartsTargetsThere() throws {
        let outcome = try run(#"open sev1 fraud Late report --known "2026-11-28 21:30""#, on: nil, number: 1)
        #expect(outcome.incident.knownAt == Fixtures.t0 - 600)
        #expect(outcome.reply.message.plainText.contains("ack 5 min overdue"))
    }

    @Test func openRefusesAKnownTimeInTheFuture() {
        #expect {
            try run(#"open sev1 fraud X --known "2026-11-29 10:00""#, on: nil, number: 1)
        } throws: { ($0 as? UserError)?.message.contains("--known is in the future") == true }
    }

    @Test func openRefusesAnUnknownPlaybook() {
        #expect {
            try run("open sev1 fraud X --playbook nope", on: nil, number: 1)
        } throws: { ($0 as? UserError)?.message.contains("There is no playbook “nope”") == true }
    }

    @Test func openRefusesAnOverlongTitle() {
        let title = String(repeating: "x", count: 201)
        #expect(throws: UserError.self) { try run("open sev1 fraud \(title)", on: nil, number: 1) }
    }

    // MARK: - The transition table

    /// (command, from state, allowed?) for every mutating subcommand in every state.
    static let table: [(String, IncidentState, Bool)] = [
        ("ack 57", .open, true), ("ack 57", .acknowledged, false), ("ack 57", .resolved, false),
        ("assign 57 @ben", .open, true), ("assign 57 @ben", .acknowledged, true), ("assign 57 @ben", .resolved, false),
        ("escalate 57 no answer", .open, true), ("escalate 57", .acknowledged, true), ("escalate 57", .resolved, false),
        ("resolve 57 done", .open, true), ("resolve 57 done", .acknowledged, true), ("resolve 57 done", .resolved, false),
        ("reopen 57", .open, false), ("reopen 57", .acknowledged, false), ("reopen 57 not fixed", .resolved, true),
        ("note 57 called the bank", .open, true), ("note 57 x", .acknowledged, true), ("note 57 postmortem", .resolved, true),
        ("sev 57 sev2", .open, true), ("sev 57 sev2", .acknowledged, true), ("sev 57 sev2", .resolved, false),
    ]

    @Test(arguments: table)
    func transition(command: String, from state: IncidentState, allowed: Bool) throws {
        let before = try incident(in: state)
        if allowed {
            let outcome = try run(command, on: before, by: Fixtures.ben, at: Fixtures.t0 + 300)
            #expect(outcome.events.count == 1)
            #expect(outcome.events[0].sequence == before.lastSequence + 1)
            #expect(outcome.events[0].previousHash == before.lastHash)
            #expect(outcome.expectedSequence == before.lastSequence)
            #expect(outcome.reply.visibility == .inChannel)
        } else {
            #expect(throws: UserError.self) { try run(command, on: before, by: Fixtures.ben, at: Fixtures.t0 + 300) }
        }
    }

    @Test func stateAfterEachAllowedTransition() throws {
        let open = try incident(in: .open)
        #expect(try run("ack 57", on: open).incident.state == .acknowledged)
        #expect(try run("resolve 57 done", on: open).incident.state == .resolved)
        let resolved = try incident(in: .resolved)
        let reopened = try run("reopen 57", on: resolved).incident
        #expect(reopened.state == .open)
        #expect(reopened.acknowledgedAt == nil && reopened.resolvedAt == nil && reopened.resolution == nil)
        #expect(try run("escalate 57", on: open).incident.level == 2)
        #expect(try run("sev 57 sev3", on: open).incident.severity == "sev3")
        #expect(try run("assign 57 <@U0BEN|ben>", on: open).incident.owner == Fixtures.ben)
    }

    // MARK: - Specific refusals

    @Test func ackOfAnAcknowledgedIncidentNamesWhoAndWhen() throws {
        let acknowledged = try incident(in: .acknowledged)
        #expect {
            try run("ack 57", on: acknowledged, by: Fixtures.ben)
        } throws: { ($0 as? UserError)?.message == "INC-57 was already acknowledged by @ava at 21:41 UTC." }
    }

    @Test func ackOfAResolvedIncidentSaysHowToReopen() throws {
        #expect {
            try run("ack 57", on: try incident(in: .resolved))
        } throws: { ($0 as? UserError)?.message.contains("/incident reopen INC-57") == true }
    }

    @Test func resolveTwiceNamesTheFirstResolver() throws {
        #expect {
            try run("resolve 57 again", on: try incident(in: .resolved), by: Fixtures.ben)
        } throws: { ($0 as? UserError)?.message == "INC-57 was already resolved by @ava at 21:42 UTC." }
    }

    @Test func escalateStopsAtTheTopLevel() throws {
        var incident = try opened()
        incident = try run("escalate 57", on: incident).incident
        incident = try run("escalate 57", on: incident).incident
        #expect(incident.level == 3)
        #expect {
            try run("escalate 57", on: incident)
        } throws: { ($0 as? UserError)?.message.contains("already at the top escalation level") == true }
    }

    @Test func escalatePostsToOncallAndIncidents() throws {
        let outcome = try run("escalate 57 no ack after 10 minutes", on: try opened())
        #expect(outcome.outbox.map(\.channel) == [.incidents, .oncall])
        #expect(outcome.reply.message.plainText.contains("to level 2 (lead)"))
        #expect(outcome.reply.message.plainText.contains("/incident ack INC-57"))
    }

    @Test func assignToTheCurrentOwnerIsRefused() throws {
        let owned = try run("assign 57 <@U0BEN|ben>", on: try opened()).incident
        #expect {
            try run("assign 57 <@U0BEN|ben>", on: owned)
        } throws: { ($0 as? UserError)?.message == "INC-57 is already owned by @ben." }
    }

    @Test func sevToTheSameSeverityIsRefused() throws {
        #expect { try run("sev 57 sev1", on: try opened()) } throws: { ($0 as? UserError)?.message == "INC-57 is already sev1." }
    }

    @Test func aCommandOnAMissingIncidentIsRefused() {
        #expect {
            try run("ack 99", on: nil)
        } throws: { ($0 as? UserError)?.message.contains("There is no incident INC-99") == true }
    }

    @Test func ackTakesOwnershipOfAnUnownedIncidentOnly() throws {
        #expect(try run("ack 57", on: try opened(), by: Fixtures.ben).incident.owner == Fixtures.ben)
        let owned = try run("assign 57 @dee", on: try opened()).incident
        #expect(try run("ack 57", on: owned, by: Fixtures.ben).incident.owner?.name == "dee")
    }

    // MARK: - Timing facts in replies

    @Test func lateAckSaysHowFarPastTheTarget() throws {
        let outcome = try run("ack 57", on: try opened(), at: Fixtures.t0 + 17 * 60)
        #expect(outcome.reply.message.plainText.contains("(12 min past the 5 min target)"))
    }

    @Test func resolveStatesTimeToAcknowledgeAndResolve() throws {
        var incident = try opened()
        incident = try run("ack 57", on: incident, at: Fixtures.t0 + 17 * 60).incident
        let outcome = try run("resolve 57 Payout reverted, account secured", on: incident, at: Fixtures.t0 + 90 * 60)
        let text = outcome.reply.message.plainText
        #expect(text.contains("time to acknowledge 17 min (breached, target 5 min)"))
        #expect(text.contains("time to resolve 1 h 30 min (met, target 4 h)"))
    }

    // MARK: - Hash chain

    @Test func eventsChainAndVerify() throws {
        var incident = try opened()
        var events = [IncidentEvent]()
        events.append(contentsOf: try run("open sev1 fraud Payout destination changed --ref ZD-88213", on: nil, number: 57).events)
        for command in ["ack 57", "note 57 called bank", "escalate 57", "resolve 57 fixed"] {
            let outcome = try run(command, on: incident)
            incident = outcome.incident
            events += outcome.events
        }
        #expect(events.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(EventChain.verify(events))
        var tampered = events
        tampered[2].payload["text"] = "nothing happened"
        #expect(!EventChain.verify(tampered))
        var reordered = events
        reordered.swapAt(1, 2)
        #expect(!EventChain.verify(reordered))
    }
}
