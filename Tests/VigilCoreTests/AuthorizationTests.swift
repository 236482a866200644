import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Findings 3 and 4 of issue 10: roles are enforced for every command, and a restricted incident
/// is read and worked only by cleared people. The matrix: command × role × restricted or not.
@Suite struct AuthorizationTests {
    /// Who acts in the matrix, each holding exactly the roles named.
    enum Actor: String, CaseIterable, Sendable {
        case outsider, responder, lead, legal, cleared, clearedLead

        var user: UserRef { UserRef(id: "U0" + rawValue.uppercased(), name: rawValue, platform: "slack") }
        var identity: Identity { user.identity! }
    }

    /// Every role configured: responders are listed, so outsiders hold no role at all.
    static let policy: Policy = {
        var policy = Fixtures.policy
        let legal = LegalClock(rule: "Regulator notice", citation: "Reg. 1", due: .seconds(24 * 3600))
        policy.categories = [
            VigilCore.Category(name: "fraud", legal: legal),
            VigilCore.Category(name: "child-safety", restricted: true, legal: legal),
        ]
        policy.roles = RoleAssignments([
            .responder: [Actor.responder.identity],
            .lead: [Actor.lead.identity, Actor.clearedLead.identity],
            .legal: [Actor.legal.identity],
            .restricted: [Actor.cleared.identity, Actor.clearedLead.identity],
        ])
        return policy
    }()

    /// Two playbooks per category, so that `playbook` has somewhere to switch to.
    static let catalog = PlaybookCatalog(["fraud", "child-safety"].flatMap { category in
        ["a", "b"].map { suffix in
            Playbook(
                id: "\(category)-\(suffix)", title: "\(category) \(suffix)", summary: "", appliesTo: IncidentMatch(categories: [category]),
                steps: [PlaybookStep(id: "check", title: "Check", instructions: "Check.", owner: "responder")])
        }
    })

    let parser: CommandParser

    init() throws {
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Self.policy)
    }

    func context(_ actor: UserRef, policy: Policy = Self.policy) -> CommandContext {
        CommandContext(policy: policy, now: Fixtures.t0, actor: actor, platform: "slack", channel: "ts", catalog: Self.catalog)
    }

    /// Incident 1 of `category`, opened by a cleared lead, with its clocks.
    func opened(_ category: String) throws -> (Incident, [ClockRow]) {
        let command = try parser.parse("open sev1 \(category) Secret title --playbook \(category)-a --ref NCMEC-55")
        let outcome = try Lifecycle.planOpen(command, context: context(Actor.clearedLead.user)).outcome(number: 1)
        return (outcome.incident, outcome.clocks)
    }

    static let commands = [
        "ack 1", "assign 1 <@U0BEN|ben>", "escalate 1 more hands", "note 1 found it", "sev 1 sev2", "resolve 1 fixed",
        "step 1 done", "playbook 1 {category}-b", "waive 1 legal counsel says no duty", "status 1", "summary 1", "step 1 show",
    ]

    /// What the rules say: `waive` needs lead or legal, everything else responder (held by every
    /// listed role); a restricted incident also needs `restricted`.
    static func expected(_ command: String, _ actor: Actor, restricted: Bool) -> Bool {
        let roleOK = command.hasPrefix("waive") ? [.lead, .legal, .clearedLead].contains(actor) : actor != .outsider
        let cleared = [.cleared, .clearedLead].contains(actor)
        return roleOK && (!restricted || cleared)
    }

    @Test("finding 4: the role matrix, command × role × restricted or not", arguments: commands, [false, true])
    func roleMatrix(_ template: String, restricted: Bool) throws {
        let category = restricted ? "child-safety" : "fraud"
        let (incident, clocks) = try opened(category)
        let command = try parser.parse(template.replacingOccurrences(of: "{category}", with: category))
        for actor in Actor.allCases {
            let refusal = attempt(command, on: incident, clocks: clocks, by: actor.user)
            if let refusal {
                // A refusal must come from the rules and say which role is needed, nothing else.
                #expect(refusal.message.contains("role"), "\(template) by \(actor): \(refusal.message)")
                #expect(!refusal.message.contains("Secret title") && !refusal.message.contains("NCMEC"))
            }
            #expect((refusal == nil) == Self.expected(template, actor, restricted: restricted), "\(template) by \(actor), restricted: \(restricted)")
        }
    }

    /// Slack shows the typed command to the whole channel with an `in_channel` reply, so on a
    /// restricted incident every reply must be private: `note 1 CyberTipline 152683940 filed`
    /// would otherwise put the report number in front of everyone. Ordinary incidents keep their
    /// in-channel replies for state changes.
    @Test(
        "a reply on a restricted incident is private, so the typed command is never echoed to the channel",
        arguments: ["ack 1", "assign 1 <@U0BEN|ben>", "escalate 1 more hands", "note 1 CyberTipline 152683940 filed",
            "sev 1 sev2", "resolve 1 reported to NCMEC", "step 1 done", "playbook 1 {category}-b",
            "waive 1 legal counsel says no duty"], [false, true])
    func restrictedRepliesArePrivate(_ template: String, restricted: Bool) throws {
        let category = restricted ? "child-safety" : "fraud"
        let (incident, clocks) = try opened(category)
        let command = try parser.parse(template.replacingOccurrences(of: "{category}", with: category))
        let outcome = try Lifecycle.apply(command, to: incident, clocks: clocks, context: context(Actor.clearedLead.user))
        if restricted {
            #expect(outcome.reply.visibility == .ephemeral, "\(template)")
            for post in outcome.outbox {
                #expect(!post.message.plainText.contains("152683940") && !post.message.plainText.contains("NCMEC"), "\(template)")
            }
        }
    }

    @Test("opening a restricted incident answers privately, even without playbook steps to hide")
    func restrictedOpenIsPrivate() throws {
        // setup: no playbook and no legal clock, so the reply is the headline alone
        var policy = Self.policy
        policy.categories = [VigilCore.Category(name: "fraud"), VigilCore.Category(name: "child-safety", restricted: true)]
        var context = context(Actor.cleared.user, policy: policy)
        context.catalog = PlaybookCatalog([])
        let command = try CommandParser(specs: try Fixtures.shippedSpecs(), policy: policy)
            .parse("open sev1 child-safety Upload of apparent CSAM by creator 4411")
        // MUT
        let outcome = try Lifecycle.planOpen(command, context: context).outcome(number: 1)
        // validate
        #expect(outcome.reply.visibility == .ephemeral)
        #expect(outcome.outbox.allSatisfy { !$0.message.plainText.contains("4411") })
    }

    /// The refusal `command` meets from `actor`, or `nil` when it is accepted.
    func attempt(_ command: ParsedCommand, on incident: Incident, clocks: [ClockRow], by actor: UserRef) -> UserError? {
        do {
            if command.isMutation {
                _ = try Lifecycle.apply(command, to: incident, clocks: clocks, context: context(actor))
            } else {
                try Authorization.authorize(command, incident: incident, context: context(actor))
            }
            return nil
        } catch {
            return error
        }
    }

    @Test("finding 4: a refusal on a restricted incident is word for word the one for a missing incident")
    func restrictedRefusalRevealsNothing() throws {
        let (incident, clocks) = try opened("child-safety")
        let outsider = context(Actor.responder.user)
        let onRestricted = #expect(throws: UserError.self) {
            try Lifecycle.apply(try parser.parse("note 1 x"), to: incident, clocks: clocks, context: outsider)
        }
        let onMissing = #expect(throws: UserError.self) {
            try Lifecycle.apply(try parser.parse("note 1 x"), to: nil, context: outsider)
        }
        #expect(onRestricted == onMissing)
        #expect(onRestricted?.message.contains("`restricted` role") == true)
    }

    @Test("with no roles configured, everyone works ordinary incidents as before, and nobody may waive")
    func noRolesKeepsTodaysBehaviour() throws {
        var policy = Self.policy
        policy.roles = RoleAssignments()
        let stranger = UserRef(id: "U0NEW", name: "new", platform: "slack")
        let (incident, clocks) = try opened("fraud")
        for text in ["ack 1", "note 1 hi", "sev 1 sev2", "resolve 1 done", "escalate 1"] {
            _ = try Lifecycle.apply(try parser.parse(text), to: incident, clocks: clocks, context: context(stranger, policy: policy))
        }
        let refusal = #expect(throws: UserError.self) {
            try Lifecycle.apply(try parser.parse("waive 1 legal no duty"), to: incident, clocks: clocks, context: context(stranger, policy: policy))
        }
        #expect(refusal?.message.contains("Only people with the `lead` or `legal` role may run `waive`") == true)
    }

    @Test("finding 4: an uncleared responder may open a restricted incident and sees only ID, severity and category")
    func unclearedOpenerSeesOnlyTheTag() throws {
        let command = try parser.parse("open sev1 child-safety Secret title --playbook child-safety-a --ref NCMEC-55")
        let outcome = try Lifecycle.planOpen(command, context: context(Actor.responder.user)).outcome(number: 1)
        let shown = outcome.reply.message.plainText
        #expect(outcome.reply.visibility == .ephemeral)
        #expect(shown.contains("INC-1 opened · SEV1 · child-safety (restricted)"))
        for secret in ["Secret title", "NCMEC-55", "Check", "Regulator notice"] { #expect(!shown.contains(secret)) }
        #expect(outcome.outbox.allSatisfy { !$0.message.plainText.contains("Secret title") })
    }

    @Test("finding 3: a display name never grants a role", arguments: ["dee", "DEE", "u0dee", "U0DEE"])
    func displayNamesGrantNothing(_ name: String) throws {
        let (incident, _) = try opened("child-safety")
        for platform in ["slack", "mattermost"] {
            let spoof = UserRef(id: "erj6qck3rfgtujs86w5r6rckzh", name: name, platform: platform)
            #expect(!Fixtures.policy.mayReadRestricted(spoof))
            #expect(throws: UserError.self) { try Authorization.authorize(try parser.parse("status 1"), incident: incident, context: context(spoof)) }
        }
        // A reference with no platform (a typed mention, an old row) is nobody, even with the right ID.
        #expect(!Fixtures.policy.mayReadRestricted(UserRef(id: "U0DEE", name: "dee")))
        #expect(Fixtures.policy.mayReadRestricted(Fixtures.dee))
        // The same ID on another platform is another account.
        #expect(!Fixtures.policy.mayReadRestricted(UserRef(id: "U0DEE", name: "dee", platform: "mattermost")))
    }

    @Test("a role held on one account holds for every account linked in people:")
    func linkedAccountsShareRoles() {
        var policy = Fixtures.policy
        policy.people = PeopleDirectory([
            Person(name: "dee", accounts: [Identity(platform: "slack", id: "U0DEE"), Identity(platform: "mattermost", id: "d33mm")])
        ])
        #expect(policy.mayReadRestricted(UserRef(id: "d33mm", name: "whoever", platform: "mattermost")))
        #expect(!policy.mayReadRestricted(UserRef(id: "d33mm", name: "dee", platform: "slack")))
    }

    @Test("finding 7: a restricted incident's refs are not shown to uncleared people")
    func refsAreRestricted() throws {
        let (incident, _) = try opened("child-safety")
        let forOutsider = IncidentViews.status(of: incident, events: [], outbox: nil, context: context(Actor.responder.user)).message.plainText
        let forCleared = IncidentViews.status(of: incident, events: [], outbox: nil, context: context(Actor.cleared.user)).message.plainText
        #expect(!forOutsider.contains("NCMEC-55"))
        #expect(forCleared.contains("NCMEC-55"))
        let row = IncidentViews.list([incident], title: "incidents", context: context(Actor.responder.user)).message.plainText
        #expect(!row.contains("Secret title") && !row.contains("owner") && !row.contains("Regulator"))
    }
}
