import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Incident channels: which incidents get one, how visible, who is invited (only cleared people
/// for a restricted incident), when a new row is written, and commands typed in one that need
/// no incident ID.
@Suite struct RoomsTests {
    typealias Types = IncidentTypeTests
    static let ben = Fixtures.ben
    static let dee = Fixtures.dee
    static let lead = UserRef(id: "U0LEAD", name: "lee", platform: "slack")

    /// Ben is on call at level 1 (not cleared); Lee leads at level 2; Lou (legal) and Dee are cleared.
    static let policy: Policy = {
        var policy = Types.policy
        policy.escalationLevels = [
            EscalationLevel(name: "responders", notify: [.user(ben)]),
            EscalationLevel(name: "lead", notify: [.user(lead)], after: .seconds(3600)),
        ]
        policy.roles.members[.restricted] = [Identity(platform: "slack", id: "U0DEE"), Identity(platform: "slack", id: "U0LEGAL")]
        policy.rooms = RoomPolicy(
            rules: [
                RoomRule(when: .init(restricted: true), visibility: .private),
                RoomRule(when: .init(severities: ["sev1"]), visibility: .public, archiveAfter: .seconds(86_400)),
            ], defaultPlatform: "slack")
        return policy
    }()

    let catalog = PlaybookCatalog([Types.csam, Types.sextortion, Types.harassment, Types.order, Types.tco])
    let parser: CommandParser

    init() throws {
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Self.policy, catalog: catalog)
    }

    func context(_ actor: UserRef, at now: Date = Fixtures.t0) -> CommandContext {
        CommandContext(policy: Self.policy, now: now, actor: actor, platform: "slack", channel: "ts", catalog: catalog)
    }

    func open(_ text: String, by actor: UserRef = Fixtures.ava) throws -> Outcome {
        try Lifecycle.planOpen(try parser.parse(text), context: context(actor)).outcome(number: 7)
    }

    func rooms(_ outcome: Outcome) -> [(RoomRequest, OutboxItem)] {
        outcome.outbox.compactMap { item in
            if case let .room(request) = item.target { return (request, item) }
            return nil
        }
    }

    @Test func aRestrictedIncidentGetsAPrivateChannelWithOnlyClearedPeopleInvited() throws {
        let outcome = try open("open sev1 csam Image reported by a trusted flagger", by: Fixtures.ava)
        let (request, row) = try #require(rooms(outcome).first)
        #expect(rooms(outcome).count == 1)
        // Private, though sev1's rule says public: a restricted incident's channel never is.
        #expect(request.visibility == .private)
        #expect(request.name == "inc-7")
        #expect(request.platform == "slack")
        // Ava reported it and Ben is on call, but neither is cleared; Lou owns the NCMEC step.
        #expect(request.invite == [Identity(platform: "slack", id: "U0LEGAL")])
        // The brief, in a channel of cleared people only, carries the title; the steps are pinned.
        #expect(row.message.plainText.contains("Image reported by a trusted flagger"))
        #expect(row.message.plainText.contains("Invite no one else"))
        #expect(request.steps?.plainText.contains("Preserve evidence") == true)
        // The public announcement still carries no title.
        let post = try #require(outcome.outbox.first { $0.channel == .incidents })
        #expect(!post.message.plainText.contains("trusted flagger"))
    }

    @Test func aSev1GetsAPublicChannelWithReporterOnCallAndStepOwners() throws {
        let outcome = try open("open sev1 tco Propaganda video")
        let (request, _) = try #require(rooms(outcome).first)
        #expect(request.visibility == .public)
        #expect(request.archiveAfter == .seconds(86_400))
        #expect(Set(request.invite.map(\.id)) == ["U0AVA", "U0BEN", "U0LEGAL"])
    }

    @Test func anIncidentNoRuleCoversGetsNoChannel() throws {
        let outcome = try open("open sev2 harassment Messages to a creator")
        #expect(rooms(outcome).isEmpty)
        var policy = Self.policy
        policy.rooms = RoomPolicy()
        let plain = try Lifecycle.planOpen(
            try parser.parse("open sev1 tco Propaganda"),
            context: CommandContext(
                policy: policy, now: Fixtures.t0, actor: Fixtures.ava, platform: "slack", channel: "ts", catalog: catalog)
        ).outcome(number: 8)
        #expect(rooms(plain).isEmpty)
    }

    @Test func laterCommandsWriteARowOnlyForSomeoneNewOrAMorePrivateChannel() throws {
        let opened = try open("open sev1 harassment Pile-on against a creator")
        #expect(rooms(opened).count == 1)
        // A note changes nobody's place: no row.
        let noted = try Lifecycle.apply(
            try parser.parse("note 7 more accounts joined"), to: opened.incident, context: context(Fixtures.ava))
        #expect(rooms(noted).isEmpty)
        // Escalating brings the lead in.
        let escalated = try Lifecycle.apply(try parser.parse("escalate 7"), to: opened.incident, context: context(Fixtures.ava))
        let (invite, _) = try #require(rooms(escalated).first)
        #expect(invite.visibility == .public && invite.invite.map(\.id).contains("U0LEAD"))
        // Reclassified into a restricted type: a private channel, cleared people only.
        let moved = try Lifecycle.apply(try parser.parse("type 7 csam"), to: opened.incident, context: context(Self.dee))
        let (request, _) = try #require(rooms(moved).first)
        #expect(request.visibility == .private)
        #expect(request.invite.map(\.id) == ["U0LEGAL"])
    }

    @Test func aCommandTypedInAnIncidentsChannelNeedsNoID() throws {
        let ack = try parser.parse("ack", room: 7)
        #expect(ack.incidentNumber == 7)
        // A bare number starts a note; it is not taken for another incident.
        let note = try parser.parse("note 3 accounts affected", room: 7)
        #expect(note.incidentNumber == 7)
        #expect(note.string("text") == "3 accounts affected")
        // Another incident, named explicitly, still can be.
        #expect(try parser.parse("ack #9", room: 7).incidentNumber == 9)
        #expect(try parser.parse("ack INC-9", room: 7).incidentNumber == 9)
        #expect(try parser.parse("status", room: 7).incidentNumber == 7)
        #expect(try parser.parse("step done preserve", room: 7).incidentNumber == 7)
        // Outside a channel, the ID is still required.
        #expect(throws: UserError.self) { try parser.parse("ack") }
    }
}
