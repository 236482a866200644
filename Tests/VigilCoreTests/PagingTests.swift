import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Direct pages: who an alert concerns is reached on each medium config makes possible, and
/// PagerDuty follows the incident's level and stops when it is acknowledged or resolved.
@Suite struct PagingTests {
    static let lead = UserRef(id: "U0LEAD", name: "lee", platform: "slack")
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.escalationLevels = [
            EscalationLevel(name: "responders", notify: [.user(Fixtures.ben)]),
            EscalationLevel(name: "lead", notify: [.user(lead)], after: .seconds(600)),
        ]
        policy.people = PeopleDirectory([
            Person(
                name: "ben", accounts: [Identity(platform: "slack", id: "U0BEN"), Identity(platform: "mattermost", id: "mmben")],
                contacts: Contacts(ntfy: "ben-pager", email: "ben@example.com")),
            Person(name: "lee", accounts: [Identity(platform: "slack", id: "U0LEAD")], contacts: Contacts(ntfy: "lee-pager")),
        ])
        policy.paging = PagingPolicy(chatPlatforms: ["slack"], ntfy: true, email: true, pagerDutyLevels: ["responders", "lead"])
        return policy
    }()

    let parser: CommandParser

    init() throws {
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Self.policy)
    }

    func apply(_ text: String, to incident: Incident?, clocks: [ClockRow] = [], at now: Date, by actor: UserRef = Fixtures.ava) throws
        -> Outcome
    {
        let context = CommandContext(policy: Self.policy, now: now, actor: actor, platform: "slack", channel: "ts")
        let command = try parser.parse(text)
        if command.subcommand == .open { return try Lifecycle.planOpen(command, context: context).outcome(number: 7) }
        return try Lifecycle.apply(command, to: incident, clocks: clocks, context: context)
    }

    static func targets(_ outbox: [OutboxItem]) -> [PageTarget] { outbox.compactMap(\.page?.target) }

    @Test func escalatingByHandMentionsAndPagesTheLevelsPeople() throws {
        let opened = try apply("open sev1 fraud Card testing on payouts", to: nil, at: Fixtures.t0)
        let outcome = try apply("escalate 7 payouts at risk", to: opened.incident, clocks: opened.clocks, at: Fixtures.t0 + 60)
        let post = try #require(outcome.outbox.first { $0.channel == .oncall }).message
        #expect(post.plainText.contains("to level 2 (lead)"))
        #expect(post.lines[0].contains(.mention(Self.lead)))
        #expect(
            Self.targets(outcome.outbox) == [
                .chat(Identity(platform: "slack", id: "U0LEAD")), .ntfy(topic: "lee-pager"), .pagerDuty(.trigger, level: "lead"),
            ])
        // Unacknowledged, so an ack makes the pages still waiting moot.
        #expect(outcome.outbox.compactMap(\.page).allSatisfy { $0.endsWithAck })
        // The DM carries the Ack button.
        let dm = try #require(outcome.outbox.first { $0.page?.target.medium == "chat:slack" })
        #expect(dm.message.actions.contains { $0.command == "ack INC-7" })
    }

    @Test func aLevelWithNobodyOnCallSaysSo() throws {
        var policy = Self.policy
        policy.escalationLevels[1].notify = []
        let parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: policy)
        let context = CommandContext(policy: policy, now: Fixtures.t0, actor: Fixtures.ava, platform: "slack", channel: "ts")
        let opened = try Lifecycle.planOpen(try parser.parse("open sev1 fraud Card testing"), context: context).outcome(number: 7)
        let outcome = try Lifecycle.apply(try parser.parse("escalate 7"), to: opened.incident, clocks: opened.clocks, context: context)
        #expect(outcome.reply.message.plainText.contains("nobody is on call for this level"))
    }

    @Test func anAutomaticEscalationPagesTheNewLevelAndPagerDuty() throws {
        let opened = try apply("open sev1 fraud Card testing on payouts", to: nil, at: Fixtures.t0)
        let escalation = try #require(opened.clocks.first { $0.kind == .escalation })
        let firing = try #require(
            ClockAlerts.fire(escalation, incident: opened.incident, catalog: PlaybookCatalog(), policy: Self.policy, now: escalation.dueAt))
        #expect(Self.targets(firing.outbox).contains(.pagerDuty(.trigger, level: "lead")))
        #expect(Self.targets(firing.outbox).contains(.ntfy(topic: "lee-pager")))
    }

    @Test func anAckStopsPagerDutyAtEveryLevelReachedAndResolveClosesIt() throws {
        let opened = try apply("open sev1 fraud Card testing on payouts", to: nil, at: Fixtures.t0)
        let escalated = try apply("escalate 7", to: opened.incident, clocks: opened.clocks, at: Fixtures.t0 + 60)
        let acked = try apply("ack 7", to: escalated.incident, clocks: opened.clocks, at: Fixtures.t0 + 120, by: Fixtures.ben)
        #expect(Self.targets(acked.outbox) == [.pagerDuty(.acknowledge, level: "responders"), .pagerDuty(.acknowledge, level: "lead")])
        let resolved = try apply("resolve 7 blocked the cards", to: acked.incident, at: Fixtures.t0 + 180, by: Fixtures.ben)
        #expect(Self.targets(resolved.outbox) == [.pagerDuty(.resolve, level: "responders"), .pagerDuty(.resolve, level: "lead")])
        // PagerDuty's events keep their written order: one priority for all of them.
        #expect(Set((escalated.outbox + acked.outbox).filter { $0.page?.target.medium == "pagerduty" }.map(\.priority)) == [.breach])
    }

    @Test func aFirstBreachPagesUrgentlyAndItsRepeatsDoNot() throws {
        let opened = try apply("open sev1 fraud Card testing on payouts", to: nil, at: Fixtures.t0)
        let ack = try #require(opened.clocks.first { $0.name == ClockPlanner.ackName })
        let first = try #require(
            ClockAlerts.fire(ack, incident: opened.incident, catalog: PlaybookCatalog(), policy: Self.policy, now: ack.dueAt + 1))
        let paged = Self.targets(first.outbox)
        #expect(paged.contains(.chat(Identity(platform: "slack", id: "U0BEN"))))
        #expect(paged.contains(.ntfy(topic: "ben-pager")))
        #expect(paged.contains(.email(address: "ben@example.com")))
        #expect(paged.contains(.pagerDuty(.trigger, level: "responders")))
        // Ben's Mattermost account gets nothing: Vigil has no bot there.
        #expect(!paged.contains(.chat(Identity(platform: "mattermost", id: "mmben"))))
        let repeatRow = first.row
        if let next = repeatRow.nextFireAt {
            let again = try #require(
                ClockAlerts.fire(repeatRow, incident: first.incident, catalog: PlaybookCatalog(), policy: Self.policy, now: next))
            #expect(Self.targets(again.outbox).isEmpty)
        }
    }

    @Test func nothingConfiguredWritesNoPage() throws {
        var policy = Self.policy
        policy.paging = PagingPolicy()
        let incident = Incident(
            number: 7, title: "t", severity: "sev1", category: "fraud", reporter: Fixtures.ava, platform: "slack", channel: "ts",
            openedAt: Fixtures.t0, knownAt: Fixtures.t0)
        #expect(
            Paging.pages(
                to: [Fixtures.ben], about: incident, message: Message(lines: []), priority: .breach, urgency: .urgent, endsWithAck: true,
                policy: policy
            ).isEmpty)
        #expect(Paging.stopPagerDuty(.acknowledge, incident: incident, message: Message(lines: []), policy: policy).isEmpty)
    }

    // MARK: - Steps given to people

    static let lou = UserRef(id: "U0LOU", name: "lou", platform: "slack")
    static let report = Playbook(
        id: "report-case", title: "Report case", summary: "Report", appliesTo: IncidentMatch(categories: ["child-safety", "fraud"]),
        steps: [
            PlaybookStep(id: "preserve", title: "Preserve the upload", instructions: "Preserve.", owner: "responder"),
            PlaybookStep(id: "report", title: "File the CyberTip", instructions: "Report.", owner: "legal", due: .seconds(86_400)),
        ])

    func stepPolicy() -> Policy {
        var policy = Self.policy
        policy.owners = ["legal": [.user(Self.lou)], "responder": [.user(Fixtures.ava)]]
        policy.people.people.append(
            Person(
                name: "lou", accounts: [Identity(platform: "slack", id: "U0LOU")],
                contacts: Contacts(ntfy: "lou-pager", email: "legal@example.com")))
        return policy
    }

    @Test func aStepsOwnersGetItDirectlyButNotWhoeverOpenedIt() throws {
        let policy = stepPolicy()
        let catalog = PlaybookCatalog([Self.report])
        let parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: policy, catalog: catalog)
        let context = CommandContext(
            policy: policy, now: Fixtures.t0, actor: Fixtures.ava, platform: "slack", channel: "ts", catalog: catalog)
        let opened = try Lifecycle.planOpen(try parser.parse("open sev2 fraud Card testing --playbook report-case"), context: context)
            .outcome(number: 7)
        let targets = Self.targets(opened.outbox)
        // Both steps are open; Ava opened it, so only Lou is paged: by DM and email, no push for a notice.
        #expect(targets == [.chat(Identity(platform: "slack", id: "U0LOU")), .email(address: "legal@example.com")])
        let notice = try #require(opened.outbox.first { $0.page != nil }).message
        #expect(notice.plainText.contains("step 2/2 “File the CyberTip” is yours"))
        #expect(notice.actions.map(\.command) == ["step INC-7 done report", "step INC-7 show report"])
        #expect(opened.outbox.compactMap(\.page).allSatisfy { !$0.endsWithAck })
    }

    @Test func aRestrictedIncidentsStepNoticeNamesNeitherItsTitleNorTheStep() throws {
        let policy = stepPolicy()
        let catalog = PlaybookCatalog([Self.report])
        let parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: policy, catalog: catalog)
        let context = CommandContext(
            policy: policy, now: Fixtures.t0, actor: Fixtures.dee, platform: "slack", channel: "ts", catalog: catalog)
        let opened = try Lifecycle.planOpen(
            try parser.parse("open sev1 child-safety Upload flagged by hash match --playbook report-case"), context: context
        ).outcome(number: 7)
        let notices = opened.outbox.filter { $0.page != nil }.map(\.message.plainText)
        #expect(!notices.isEmpty)
        #expect(notices.allSatisfy { !$0.contains("hash match") && !$0.contains("CyberTip") && !$0.contains("Preserve") })
    }
}
