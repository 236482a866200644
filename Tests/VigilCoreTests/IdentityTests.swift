import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Findings 3 and 8 of issue 10: a person is a platform and a user ID, linked across platforms by
/// `people:`; display names decide nothing.
@Suite struct IdentityTests {
    static let avaMattermost = UserRef(id: "8x7kq3pa1fbuxnwq4ifxgzb3ma", name: "ava", platform: "mattermost")
    static let people = PeopleDirectory([
        Person(name: "ava", accounts: [Fixtures.ava.identity!, avaMattermost.identity!])
    ])

    @Test("finding 3: names never make two references the same person", arguments: [
        UserRef(id: "erj6qck3rfgtujs86w5r6rckzh", name: "ava", platform: "mattermost"),
        UserRef(id: "U0EVE", name: "AVA", platform: "slack"),
        UserRef(id: "U0EVE", name: "u0ava", platform: "slack"),
        UserRef(id: "u0ava", name: "u0ava", platform: "mattermost"),
        UserRef(id: "ava", name: "ava"),
    ])
    func namesDoNotMatch(_ other: UserRef) {
        let configured = UserRef(id: "U0AVA", name: "U0AVA")
        #expect(!configured.isSamePerson(as: other))
        #expect(!Fixtures.ava.isSamePerson(as: other))
        #expect(!Self.people.isSamePerson(Fixtures.ava, other))
    }

    @Test("identities parse as platform:user-id, and only known platforms")
    func parsing() {
        #expect(Identity(parsing: "slack:U0AVA") == Identity(platform: "slack", id: "U0AVA"))
        #expect(Identity(parsing: "teams:29:1a2b") == Identity(platform: "teams", id: "29:1a2b"))
        #expect(Identity(parsing: "Mattermost:8x7") == Identity(platform: "mattermost", id: "8x7"))
        for text in ["U0AVA", "@dee", "irc:dee", "slack:", "slack:U0 AVA", "dee"] { #expect(Identity(parsing: text) == nil) }
    }

    @Test("the stored form keeps the platform, and rows written before read with an unknown platform")
    func storedForm() {
        #expect(Fixtures.ava.storedID == "slack:U0AVA")
        #expect(UserRef(storedID: "slack:U0AVA", name: "ava") == Fixtures.ava)
        #expect(UserRef(storedID: "teams:29:1a2b", name: "t").identity == Identity(platform: "teams", id: "29:1a2b"))
        let old = UserRef(storedID: "U0AVA", name: "ava")
        #expect(old.platform == nil && old.id == "U0AVA" && old.identity == nil)
        #expect(UserRef(storedID: "bob", name: "bob").platform == nil)
    }

    @Test("linked accounts are one person; an unlisted account is only itself")
    func directory() {
        #expect(Self.people.isSamePerson(Fixtures.ava, Self.avaMattermost))
        #expect(!Self.people.isSamePerson(Fixtures.ava, Fixtures.ben))
        #expect(Self.people.accounts(of: Fixtures.ben) == [Fixtures.ben.identity!])
        #expect(Self.people.accounts(of: UserRef(id: "ava", name: "ava")).isEmpty)
        // For two-person rules a doubt counts: an old row's bare ID may be any of Ava's accounts.
        #expect(Self.people.mayBeSamePerson(UserRef(id: "8x7kq3pa1fbuxnwq4ifxgzb3ma", name: "x"), Fixtures.ava))
        #expect(!Self.people.mayBeSamePerson(UserRef(id: "U0BEN", name: "ava"), Fixtures.ava))
    }

    @Test("list mine asks for every account of the person, never a name")
    func listMine() {
        let filter = ListScope.mine.filter(category: nil, actor: Self.avaMattermost, people: Self.people)
        #expect(Set(filter.owners.compactMap(\.identity)) == [Fixtures.ava.identity!, Self.avaMattermost.identity!])
    }

    // MARK: - Two-person approval

    static let playbook = Playbook(
        id: "disclosure", title: "Disclosure", summary: "", appliesTo: IncidentMatch(categories: ["compliance"]),
        steps: [PlaybookStep(id: "decide", title: "Decide disclosure", instructions: "Decide.", owner: "legal", twoPersonApproval: true)])

    func approve(markedBy marker: UserRef, approver: UserRef, platform: String) throws -> Outcome {
        var policy = Fixtures.policy
        policy.people = Self.people
        let parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: policy)
        let catalog = PlaybookCatalog([Self.playbook])
        func context(_ actor: UserRef, _ platform: String) -> CommandContext {
            CommandContext(policy: policy, now: Fixtures.t0, actor: actor, platform: platform, channel: "ts", catalog: catalog)
        }
        let opened = try Lifecycle.planOpen(try parser.parse("open sev2 compliance Court order"), context: context(marker, "slack")).outcome(number: 9)
        let marked = try Lifecycle.apply(try parser.parse("step 9 done"), to: opened.incident, context: context(marker, "slack"))
        return try Lifecycle.apply(try parser.parse("step 9 approve decide"), to: marked.incident, context: context(approver, platform))
    }

    @Test("finding 8: one person's Slack and Mattermost accounts cannot satisfy a two-person approval")
    func crossPlatformApprovalIsRefused() throws {
        let refusal = #expect(throws: UserError.self) { try approve(markedBy: Fixtures.ava, approver: Self.avaMattermost, platform: "mattermost") }
        #expect(refusal?.message.contains("second, different person") == true)
        // Ben is another person: his approval counts.
        let approved = try approve(markedBy: Fixtures.ava, approver: Fixtures.ben, platform: "slack")
        #expect(approved.incident.steps.last?.status == .done)
    }

    @Test("finding 8: an approver who differs only by display name is the same account")
    func sameAccountOtherNameIsRefused() throws {
        let renamed = UserRef(id: "U0AVA", name: "not-ava", platform: "slack")
        #expect(throws: UserError.self) { try approve(markedBy: Fixtures.ava, approver: renamed, platform: "slack") }
    }
}

@Suite struct OwnerIdentityTests {
    @Test("assigning to another account of the current owner is no change")
    func assignToOwnersOtherAccount() throws {
        var policy = Fixtures.policy
        policy.people = IdentityTests.people
        let parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: policy)
        let context = CommandContext(policy: policy, now: Fixtures.t0, actor: IdentityTests.avaMattermost, platform: "mattermost", channel: "ts")
        let opened = try Lifecycle.planOpen(try parser.parse("open sev2 fraud Refund abuse"), context: context).outcome(number: 3)
        let acked = try Lifecycle.apply(try parser.parse("ack 3"), to: opened.incident, context: context)
        #expect(acked.incident.owner == IdentityTests.avaMattermost)
        let slackContext = CommandContext(policy: policy, now: Fixtures.t0, actor: Fixtures.ben, platform: "slack", channel: "ts")
        let refusal = #expect(throws: UserError.self) {
            try Lifecycle.apply(try parser.parse("assign 3 <@U0AVA|ava>"), to: acked.incident, context: slackContext)
        }
        #expect(refusal?.message == "INC-3 is already owned by @ava.")
        // A name typed on Mattermost is shown and stored, but it is nobody's account.
        let byName = try Lifecycle.apply(try parser.parse("assign 3 @ben"), to: acked.incident, context: context)
        #expect(byName.incident.owner == UserRef(id: "ben", name: "ben"))
        #expect(byName.incident.owner?.identity == nil)
    }
}
