import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// The buttons messages carry: which ones each state allows, that each runs a command the parser
/// accepts, and that a restricted incident's buttons say nothing but its ID.
@Suite struct MessageActionTests {
    let parser: CommandParser
    let catalog = PlaybookCatalog([PlaybookTests.takeover])

    init() throws {
        parser = CommandParser(
            specs: try Fixtures.shippedSpecs(), policy: Fixtures.policy, catalog: PlaybookCatalog([PlaybookTests.takeover]))
    }

    func run(_ text: String, on incident: Incident? = nil, by actor: UserRef = Fixtures.ava, at now: Date = Fixtures.t0) throws -> Outcome {
        try Fixtures.apply(text, to: incident, by: actor, at: now, number: 57, catalog: catalog, parser: parser)
    }

    @Test func anOpenIncidentOffersAckEscalateAndResolveAndAnAckedOneNoAck() throws {
        // setup
        let opened = try run("open sev2 moderation Brigading on a stream")

        // MUT
        let acked = try run("ack 57", on: opened.incident, at: Fixtures.t0 + 60)
        let resolved = try run("resolve 57 Raid ended", on: acked.incident, at: Fixtures.t0 + 120)

        // validate
        let openActions = opened.outbox[0].message.actions
        #expect(openActions.map(\.label) == ["Ack", "Escalate", "Resolve"])
        #expect(openActions.map(\.command) == ["ack INC-57", "escalate INC-57", "resolve INC-57"])
        #expect(openActions.last?.asks == "How was INC-57 resolved?")
        #expect(opened.reply.message.actions == openActions)
        #expect(acked.outbox[0].message.actions.map(\.label) == ["Escalate", "Resolve"])
        #expect(acked.reply.message.actions.map(\.label) == ["Escalate", "Resolve"])
        #expect(resolved.reply.message.actions.isEmpty)
        #expect(resolved.outbox.allSatisfy { $0.message.actions.isEmpty })
    }

    @Test func atTheTopLevelThereIsNoEscalateButton() throws {
        // setup
        var incident = try run("open sev2 moderation Brigading").incident
        for level in 1..<Fixtures.policy.escalationLevels.count {
            incident = try run("escalate 57", on: incident, at: Fixtures.t0 + Double(level)).incident
        }

        // MUT
        let actions = IncidentActions.lifecycle(incident, policy: Fixtures.policy)

        // validate
        #expect(incident.level == Fixtures.policy.escalationLevels.count)
        #expect(actions.map(\.label) == ["Ack", "Resolve"])
    }

    @Test func aStepPromptOffersStepDoneAndShowStepForTheOpenStep() throws {
        // setup: account takeover's first step is `freeze`, alone open.
        let opened = try run("open sev2 fraud Payout destination changed")
        // MUT
        let done = try run("step 57 done freeze", on: opened.incident, at: Fixtures.t0 + 60)

        // validate
        let openCommands = opened.reply.message.actions.map(\.command)
        #expect(openCommands.contains("step INC-57 done freeze"))
        #expect(openCommands.contains("step INC-57 show freeze"))
        #expect(opened.reply.message.actions.filter { $0.command.hasPrefix("step") }.map(\.label) == ["Step done", "Show step"])
        // After freeze, `verify` is open (sev2: the bank call does not apply). Working a step acknowledged the incident.
        #expect(
            done.reply.message.actions.map(\.command) == [
                "escalate INC-57", "resolve INC-57", "step INC-57 done verify", "step INC-57 show verify",
            ])
    }

    @Test func everyButtonRunsACommandTheParserAcceptsAndResolveAsksForItsText() throws {
        // setup
        let opened = try run("open sev2 fraud Payout destination changed")

        // MUT / validate
        for action in opened.reply.message.actions where action.asks == nil {
            #expect(throws: Never.self) { try parser.parse(action.command) }
        }
        let resolve = try #require(opened.reply.message.actions.first { $0.name == "resolve" })
        #expect(throws: UserError.self) { try parser.parse(resolve.command) }
        #expect(throws: Never.self) { try parser.parse(resolve.command + " Payout reverted") }
    }

    @Test func aRestrictedIncidentsButtonsCarryItsIDOnlyAndItsChannelPostNoStepButtons() throws {
        // setup
        let title = RedactionTests.secretTitle

        // MUT
        let opened = try run("open sev1 child-safety \(title)", by: Fixtures.dee)
        let acked = try run("ack 57", on: opened.incident, by: Fixtures.dee, at: Fixtures.t0 + 60)

        // validate
        #expect(opened.incident.restricted)
        let messages = [opened.reply.message, acked.reply.message] + (opened.outbox + acked.outbox).map(\.message)
        for action in messages.flatMap(\.actions) {
            #expect(!action.label.contains("99812") && !action.command.contains("99812"))
            #expect(!(action.asks ?? "").contains("99812"))
            #expect(action.command.hasSuffix("INC-57") || action.command.contains("INC-57 "))
        }
        #expect(opened.outbox[0].message.actions.map(\.label) == ["Ack", "Escalate", "Resolve"])
        #expect(acked.outbox[0].message.actions.map(\.label) == ["Escalate", "Resolve"])
    }
}
