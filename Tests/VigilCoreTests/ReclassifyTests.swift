import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// `type <id> <type|category>`: an incident moved to another type or category keeps its duties,
/// starts the new type's legal clock from when the team learned of it, and, moved into a
/// restricted type, stops showing its title anywhere.
@Suite struct ReclassifyTests {
    typealias Types = IncidentTypeTests
    let catalog = PlaybookCatalog([Types.csam, Types.sextortion, Types.harassment, Types.order, Types.tco])
    let parser: CommandParser

    init() throws {
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Types.policy, catalog: catalog)
    }

    func context(_ actor: UserRef = Fixtures.ava, at now: Date, policy: Policy = Types.policy) -> CommandContext {
        CommandContext(policy: policy, now: now, actor: actor, platform: "slack", channel: "ts", catalog: catalog)
    }

    func open(_ text: String, known: Date? = nil) throws -> (Incident, [ClockRow]) {
        let outcome = try Lifecycle.planOpen(try parser.parse(text), context: context(at: Fixtures.t0)).outcome(number: 7)
        return (outcome.incident, outcome.clocks)
    }

    func apply(_ text: String, to incident: Incident, clocks: [ClockRow], at now: Date, by actor: UserRef = Fixtures.ava) throws -> Outcome
    {
        try Lifecycle.apply(try parser.parse(text), to: incident, clocks: clocks, context: context(actor, at: now))
    }

    @Test func movingIntoARestrictedTypeStartsItsLegalClockFromKnownAndRedactsEarlierPosts() throws {
        let (incident, clocks) = try open("open sev2 harassment Messages to @creator from a fan --known \"2026-11-28 21:00\"")
        #expect(!incident.restricted)
        let outcome = try apply("type 7 child-safety", to: incident, clocks: clocks, at: Fixtures.t0 + 600)

        #expect(outcome.incident.category == "child-safety")
        #expect(outcome.incident.playbook == "csam")
        #expect(outcome.incident.restricted)
        #expect(outcome.events.map(\.kind) == [.reclassified, .playbookChanged])
        #expect(outcome.events[0].payload == ["from": "moderation", "to": "child-safety"])
        // The NCMEC clock counts from when the team learned of it (21:00), not from the reclassification.
        let legal = try #require(outcome.clocks.first { $0.kind == .legal })
        #expect(legal.dueAt == Date(timeIntervalSince1970: 1_795_899_600 + 86_400))

        // Every earlier post is edited down: a redaction row with the ID-only line.
        let redaction = try #require(outcome.outbox.first { $0.target == .redaction })
        #expect(redaction.incident == 7)
        #expect(redaction.priority == .redaction)
        #expect(!redaction.message.plainText.contains("fan"))
        #expect(redaction.message.plainText.contains("INC-7"))
        // The channel post names no title, and says that webhook posts may still show it.
        let post = try #require(outcome.outbox.first { $0.channel == .incidents }).message.plainText
        #expect(!post.contains("fan"))
        #expect(post.contains("moderation → child-safety"))
        #expect(post.contains("may still show its details"))
        #expect(outcome.reply.visibility == .ephemeral)
    }

    @Test func whereEveryChannelCanBeEditedTheNoticeSaysSo() throws {
        var policy = Types.policy
        policy.editsPosts = true
        let (incident, clocks) = try open("open sev2 harassment Messages to @creator from a fan")
        let outcome = try Lifecycle.apply(
            try parser.parse("type 7 child-safety"), to: incident, clocks: clocks, context: context(at: Fixtures.t0 + 60, policy: policy))
        let post = try #require(outcome.outbox.first { $0.channel == .incidents }).message.plainText
        #expect(post.contains("were edited down to its ID, severity and category"))
    }

    @Test func aLegalClockAlreadyRunningKeepsRunningAndSeveralPlaybooksAreOffered() throws {
        let (incident, clocks) = try open("open sev1 tco Removal order from BKA")
        let outcome = try apply("type 7 moderation", to: incident, clocks: clocks, at: Fixtures.t0 + 60)
        #expect(outcome.incident.category == "moderation")
        // The TCO playbook stays until one is chosen; its legal clock is not cancelled.
        #expect(outcome.incident.playbook == "tco-removal")
        #expect(!outcome.clocks.contains { $0.kind == .legal && $0.state != .running })
        let reply = outcome.reply.message.plainText
        #expect(reply.contains("/incident playbook INC-7"))
        #expect(reply.contains("`harassment`") && reply.contains("`sextortion`"))
        #expect(outcome.outbox.allSatisfy { $0.target != .redaction })
    }

    @Test func badOrPointlessMovesAreRefusedWithUsageAndChangeNothing() throws {
        let (incident, clocks) = try open("open sev2 harassment Messages to @creator")
        for (text, expected) in [
            ("type 7 harasment", "Unknown category or type “harasment”"),
            ("type 7 moderation", "INC-7 is already moderation"),
            ("type 7 harassment", "INC-7 is already harassment"),
        ] {
            #expect {
                try apply(text, to: incident, clocks: clocks, at: Fixtures.t0 + 60)
            } throws: { error in
                let error = error as? UserError
                return error?.message.contains(expected) == true && error?.usage == "type <id> <type|category>"
            }
        }
        var resolved = incident
        resolved.state = .resolved
        #expect(throws: UserError.self) { try apply("type 7 csam", to: resolved, clocks: clocks, at: Fixtures.t0 + 60) }
    }

    @Test func someoneNotClearedMayRestrictButThenLearnsNoMore() throws {
        let (incident, clocks) = try open("open sev2 harassment Messages to @creator from a fan")
        let outcome = try apply("type 7 child-safety", to: incident, clocks: clocks, at: Fixtures.t0 + 60, by: Fixtures.ben)
        #expect(outcome.incident.restricted)
        #expect(!outcome.reply.message.plainText.contains("fan"))
        #expect(outcome.reply.visibility == .ephemeral)
        // Afterwards it is unavailable to them, like any restricted incident.
        #expect(throws: UserError.self) {
            try apply("type 7 moderation", to: outcome.incident, clocks: outcome.clocks, at: Fixtures.t0 + 120, by: Fixtures.ben)
        }
    }
}
