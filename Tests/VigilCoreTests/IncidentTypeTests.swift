import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Incident types, the choose-a-playbook flow, several playbooks per incident, steps as a graph
/// and step owners: the rules that decide which legal clock runs and who hears of it.
@Suite struct IncidentTypeTests {
    static let tco = Playbook(
        id: "tco-removal", type: "tco", aliases: ["terrorist-content"], title: "EU terrorist-content removal order", summary: "TCO",
        appliesTo: IncidentMatch(categories: ["compliance"]), keywords: ["terrorist", "terrorist content", "removal order"],
        legal: LegalClock(rule: "Remove within 1 hour", citation: "Regulation (EU) 2021/784, Art. 3(3)", due: .seconds(3600)),
        steps: [
            PlaybookStep(id: "remove", title: "Remove the content", instructions: "Remove.", owner: "responder", due: .seconds(3600), blocking: true, completesLegal: true),
            PlaybookStep(id: "notify", title: "Tell the authority", instructions: "Reply.", owner: "legal", due: .seconds(7200), dueFrom: .start, after: ["remove"]),
        ])
    static let order = Playbook(
        id: "regulator-order", type: "dsa-order", title: "DSA Art. 9 order", summary: "Orders", appliesTo: IncidentMatch(categories: ["compliance"]),
        keywords: ["order", "authority"], steps: [PlaybookStep(id: "act", title: "Act on the order", instructions: "Act.", owner: "legal")])
    static let csam = Playbook(
        id: "csam", title: "Child safety", summary: "CSAM", appliesTo: IncidentMatch(categories: ["child-safety"]),
        legal: LegalClock(rule: "NCMEC report", citation: "18 U.S.C. §2258A(a)", due: .seconds(86_400)),
        steps: [
            PlaybookStep(id: "preserve", title: "Preserve evidence", instructions: "Preserve.", owner: "responder", due: .seconds(3600), blocking: true),
            PlaybookStep(id: "report", title: "Report to NCMEC", instructions: "Report.", owner: "legal", due: .seconds(86_400), blocking: true, completesLegal: true),
            PlaybookStep(id: "suspend", title: "Suspend the account", instructions: "Suspend.", owner: "responder", due: .seconds(4 * 3600)),
        ])
    static let sextortion = Playbook(
        id: "sextortion", title: "Sextortion", summary: "Sextortion", appliesTo: IncidentMatch(categories: ["moderation"]), restricted: true,
        legal: LegalClock(rule: "Take it down within 48 hours", citation: "TAKE IT DOWN Act", due: .seconds(48 * 3600)),
        steps: [
            PlaybookStep(id: "secure", title: "Secure the victim's account", instructions: "Secure.", owner: "support"),
            PlaybookStep(id: "takedown", title: "Take the images down", instructions: "Remove.", owner: "responder", completesLegal: true),
        ])
    static let harassment = Playbook(
        id: "harassment", title: "Harassment", summary: "Harassment", appliesTo: IncidentMatch(categories: ["moderation"]),
        keywords: ["harassment", "bullying"], steps: [PlaybookStep(id: "hide", title: "Hide the posts", instructions: "Hide.", owner: "responder")])

    static let legalPerson = UserRef(id: "U0LEGAL", name: "lou", platform: "slack")
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.owners = ["legal": [.user(legalPerson)], "support": [.role(.lead)]]
        policy.roles.members[.lead] = [Identity(platform: "slack", id: "U0LEAD")]
        policy.severities[0].warn = []
        return policy
    }()

    let catalog = PlaybookCatalog([csam, sextortion, harassment, order, tco])
    let parser: CommandParser

    init() throws {
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Self.policy, catalog: catalog)
    }

    func context(_ actor: UserRef = Fixtures.dee, at now: Date) -> CommandContext {
        CommandContext(policy: Self.policy, now: now, actor: actor, platform: "slack", channel: "ts", catalog: catalog)
    }

    /// One incident driven through commands, keeping its clock rows as the store would.
    struct Run {
        var incident: Incident
        var clocks: [ClockRow]
        var last: Outcome

        mutating func apply(_ outcome: Outcome) {
            incident = outcome.incident
            for row in outcome.clocks {
                clocks.removeAll { $0.name == row.name }
                clocks.append(row)
            }
            last = outcome
        }

        func clock(_ name: String) -> ClockRow? { clocks.first { $0.name == name } }
    }

    func open(_ text: String, at now: Date = Fixtures.t0) throws -> Run {
        let outcome = try Lifecycle.planOpen(try parser.parse(text), context: context(at: now)).outcome(number: 7)
        return Run(incident: outcome.incident, clocks: outcome.clocks, last: outcome)
    }

    func run(_ text: String, on run: inout Run, by actor: UserRef = Fixtures.dee, at now: Date) throws {
        run.apply(try Lifecycle.apply(try parser.parse(text), to: run.incident, clocks: run.clocks, context: context(actor, at: now)))
    }

    // MARK: - Types

    @Test func aTypeOrAliasSelectsItsPlaybookCategoryAndLegalClock() throws {
        for word in ["tco", "TCO", "terrorist-content", "tco-removal"] where word != "tco-removal" {
            let run = try open("open sev1 \(word) Removal order from BKA for 3 posts")
            #expect(run.incident.category == "compliance")
            #expect(run.incident.playbook == "tco-removal")
            let legal = try #require(run.clock("legal"))
            #expect(legal.dueAt == Fixtures.t0.addingTimeInterval(3600))
        }
        // Category words keep working, either order.
        #expect(try open("open child-safety sev2 Reported upload").incident.playbook == "csam")
    }

    @Test func anUnknownWordNamesCategoriesAndTypes() throws {
        #expect {
            try parser.parse("open sev1 tcoo Something")
        } throws: { error in
            let message = (error as? UserError)?.message ?? ""
            return message.contains("Unknown category or type “tcoo”") && message.contains("Did you mean tco?")
        }
    }

    @Test func aRestrictedTypeRestrictsAnIncidentOfAnOpenCategory() throws {
        let run = try open("open sev1 sextortion Payment demanded for images of a creator")
        #expect(run.incident.category == "moderation")
        #expect(run.incident.restricted)
        let post = try #require(run.last.outbox.first).message.plainText
        #expect(!post.contains("Payment demanded"))
        #expect(post.contains("moderation (restricted)"))
    }

    // MARK: - Choosing a playbook

    @Test func aCategoryWithSeveralPlaybooksOpensAtOnceAndRanksTheCandidates() throws {
        let run = try open("open sev1 compliance EU removal order for terrorist content")
        #expect(run.incident.playbook == nil)
        let text = run.last.reply.message.plainText
        #expect(text.contains("playbook not chosen"))
        let tcoLine = try #require(text.range(of: "/incident playbook INC-7 tco-removal"))
        let orderLine = try #require(text.range(of: "/incident playbook INC-7 regulator-order"))
        #expect(tcoLine.lowerBound < orderLine.lowerBound)
        #expect(run.last.outbox.first?.message.plainText.contains("playbook not chosen") == true)
        // A plain order ranks the Art. 9 playbook first.
        let plain = try open("open sev1 compliance Order from the authority").last.reply.message.plainText
        #expect(plain.range(of: "regulator-order")!.lowerBound < plain.range(of: "tco-removal")!.lowerBound)
    }

    @Test func theChoiceReminderGoesToTheAcknowledgerEveryTenMinutesUntilChosen() throws {
        var run = try open("open sev1 compliance EU removal order for terrorist content")
        let reminder = try #require(run.clock(PlaybookChoice.clockName))
        #expect(reminder.nextFireAt == Fixtures.t0.addingTimeInterval(600))
        try self.run("ack 7", on: &run, by: Fixtures.ben, at: Fixtures.t0 + 60)

        let fired = try #require(ClockAlerts.fire(reminder, incident: run.incident, catalog: catalog, policy: Self.policy, now: Fixtures.t0 + 600))
        #expect(fired.outbox.count == 1)
        #expect(fired.outbox[0].channel == .oncall)
        #expect(fired.outbox[0].message.lines[0].contains(.mention(Fixtures.ben)))
        #expect(fired.outbox[0].message.plainText.contains("/incident playbook INC-7 tco-removal"))
        #expect(fired.row.nextFireAt == Fixtures.t0.addingTimeInterval(1200))

        try self.run("playbook 7 tco", on: &run, at: Fixtures.t0 + 700)
        #expect(run.incident.playbook == "tco-removal")
        #expect(run.clock(PlaybookChoice.clockName)?.state == .cancelled)
        #expect(run.last.reply.message.plainText.contains("playbook chosen"))
        // A reminder row fired after the choice (a race with the command) posts nothing.
        let late = try #require(ClockAlerts.fire(fired.row, incident: run.incident, catalog: catalog, policy: Self.policy, now: Fixtures.t0 + 1200))
        #expect(late.outbox.isEmpty)
        #expect(late.row.state == .cancelled)
    }

    @Test func reopeningAnIncidentStillWithoutAPlaybookResumesTheReminder() throws {
        var run = try open("open sev1 compliance Order from the authority")
        try self.run("resolve 7 Handled outside Vigil", on: &run, at: Fixtures.t0 + 60)
        #expect(run.clock(PlaybookChoice.clockName)?.state == .cancelled)
        try self.run("reopen 7 The authority wrote again", on: &run, at: Fixtures.t0 + 3600)
        let reminder = try #require(run.clock(PlaybookChoice.clockName))
        #expect(reminder.state == .running)
        #expect(reminder.nextFireAt == Fixtures.t0.addingTimeInterval(3600 + 600))
    }

    @Test func someoneNotClearedWhoMakesAnIncidentRestrictedSeesNoMoreThanTheChannel() throws {
        var run = try open("open sev2 harassment Messages to a young fan")
        try self.run("playbook 7 add csam", on: &run, by: Fixtures.ava, at: Fixtures.t0 + 60)
        #expect(run.incident.restricted)
        let reply = run.last.reply.message.plainText
        #expect(run.last.reply.visibility == .ephemeral)
        #expect(!reply.contains("Messages to a young fan") && !reply.contains("Preserve evidence"))
        #expect(reply.contains("Only people with the `restricted` role"))
        // The channel learns that a playbook was added, not which one.
        #expect(run.last.outbox.count == 1)
        #expect(run.last.outbox.allSatisfy { !$0.message.plainText.contains("Child safety") })
    }

    @Test func aCategoryWithOnePlaybookAttachesIt() throws {
        #expect(try open("open sev1 child-safety Reported upload").incident.playbook == "csam")
    }

    // MARK: - Several playbooks

    @Test func twoPlaybooksEachRunTheirOwnLegalClock() throws {
        var run = try open("open sev1 sextortion Threats to share images")
        #expect(run.clock("legal")?.rule?.contains("TAKE IT DOWN") == true)
        try self.run("playbook 7 add csam", on: &run, at: Fixtures.t0 + 1800)
        #expect(run.incident.playbooks.map(\.id) == ["sextortion", "csam"])
        let csamLegal = try #require(run.clock("legal:csam"))
        #expect(csamLegal.state == .running)
        #expect(csamLegal.dueAt == Fixtures.t0.addingTimeInterval(86_400))
        // The added playbook's steps are named playbook/step, and its legal step stops only its clock.
        try self.run("step 7 done csam/preserve", on: &run, at: Fixtures.t0 + 2000)
        try self.run("step 7 done csam/report", on: &run, at: Fixtures.t0 + 3000)
        #expect(run.clock("legal:csam")?.state == .met)
        #expect(run.clock("legal")?.state == .running)
        #expect(run.incident.steps.map(\.playbook) == ["csam", "csam"])
    }

    @Test func addingAChildSafetyPlaybookRestrictsTheIncident() throws {
        var run = try open("open sev2 harassment Pile-on in the comments")
        #expect(!run.incident.restricted)
        try self.run("playbook 7 add csam", on: &run, at: Fixtures.t0 + 60)
        #expect(run.incident.restricted)
        #expect(run.last.reply.visibility == .ephemeral)
        #expect(run.last.outbox.allSatisfy { !$0.message.plainText.contains("Pile-on") })
    }

    // MARK: - Steps as a graph

    @Test func parallelStepsHaveIndependentDeadlinesAndAShortOneBreachesFirst() throws {
        let run = try open("open sev1 child-safety Reported upload")
        let suspend = try #require(run.clock("step:suspend"))
        let report = try #require(run.clock("step:report"))
        #expect(suspend.startedAt == Fixtures.t0)
        #expect(suspend.dueAt == Fixtures.t0.addingTimeInterval(4 * 3600))
        let fired = try #require(
            ClockAlerts.fire(suspend, incident: run.incident, catalog: catalog, policy: Self.policy, now: Fixtures.t0 + 4 * 3600 + 1))
        #expect(fired.events.map(\.kind) == [.clockBreached])
        #expect(fired.outbox.first?.message.plainText.contains("Suspend the account") == true)
        #expect(report.state == .running)
        #expect(report.dueAt > Fixtures.t0.addingTimeInterval(4 * 3600 + 1))
    }

    @Test func afterDependenciesOpenStepsAndStartTheirOwnClocks() throws {
        var run = try open("open sev1 tco Removal order")
        #expect(run.clock("step:notify") == nil)
        #expect {
            try self.run("step 7 done notify", on: &run, at: Fixtures.t0 + 60)
        } throws: { ($0 as? UserError)?.message.contains("opens after “Remove the content”") == true }
        try self.run("step 7 done remove", on: &run, at: Fixtures.t0 + 600)
        let notify = try #require(run.clock("step:notify"))
        #expect(notify.startedAt == Fixtures.t0 + 600)
        #expect(notify.dueAt == Fixtures.t0.addingTimeInterval(600 + 7200))
        #expect(run.last.reply.message.plainText.contains("Tell the authority"))
        // The step it opened names its owner, mentioned.
        #expect(run.last.reply.message.lines.contains { $0.contains(.mention(Self.legalPerson)) })
    }

    @Test func doneNamesTheStepWhenSeveralAreOpenAndIsExact() throws {
        var run = try open("open sev1 child-safety Reported upload")
        #expect {
            try self.run("step 7 done", on: &run, at: Fixtures.t0 + 60)
        } throws: { error in
            let message = (error as? UserError)?.message ?? ""
            return message.contains("3 steps of INC-7 are open") && message.contains("/incident step INC-7 done suspend")
        }
        #expect {
            try self.run("step 7 done suspnd", on: &run, at: Fixtures.t0 + 60)
        } throws: { ($0 as? UserError)?.message.contains("Did you mean `suspend`?") == true }
        try self.run("step 7 done suspend", on: &run, at: Fixtures.t0 + 60)
        #expect(run.incident.steps.map(\.step) == ["suspend"])
        // Step work acknowledges the incident.
        #expect(run.incident.state == .acknowledged)
        #expect(run.last.events.map(\.kind) == [.acknowledged, .stepCompleted])
        #expect {
            try self.run("step 7 done suspend", on: &run, at: Fixtures.t0 + 90)
        } throws: { ($0 as? UserError)?.message.contains("was already done by @dee") == true }
    }

    @Test func aRepeatedBareDoneDoesNotCompleteTheStepItOpened() throws {
        var run = try open("open sev1 tco Removal order")
        try self.run("step 7 done", on: &run, at: Fixtures.t0 + 60)
        #expect {
            try self.run("step 7 done", on: &run, at: Fixtures.t0 + 65)
        } throws: { ($0 as? UserError)?.message.contains("name it: `/incident step INC-7 done notify`") == true }
        // Named, or later, or by someone else, it is taken.
        var other = run
        try self.run("step 7 done notify", on: &run, at: Fixtures.t0 + 70)
        try self.run("step 7 done", on: &other, by: Fixtures.ben, at: Fixtures.t0 + 70)
        #expect(other.incident.steps.count == 2)
    }

    @Test func resolveKeepsUnfinishedStepsAsFollowUpsWithRunningClocks() throws {
        var run = try open("open sev1 child-safety Reported upload")
        try self.run("step 7 done preserve", on: &run, at: Fixtures.t0 + 60)
        try self.run("step 7 done report", on: &run, at: Fixtures.t0 + 120)
        try self.run("resolve 7 Reported and removed", on: &run, at: Fixtures.t0 + 180)
        #expect(run.clock("step:suspend")?.state == .running)
        #expect(run.last.reply.message.plainText.contains("Follow-ups still open (1)"))
    }

    // MARK: - Owners

    @Test func ownerMappingsMentionPeopleAndStepAlertsGoToThem() throws {
        let run = try open("open sev1 child-safety Reported upload")
        // The legal owner's step names the mapped person when it opens.
        #expect(run.last.reply.message.lines.contains { $0.contains(.mention(Self.legalPerson)) })
        let report = try #require(run.clock("step:report"))
        let fired = try #require(
            ClockAlerts.fire(report, incident: run.incident, catalog: catalog, policy: Self.policy, now: report.dueAt + 1))
        let lines = try #require(fired.outbox.first).message.lines
        #expect(lines.last?.contains(.mention(Self.legalPerson)) == true)
        // The legal clock's alert goes to the owners of the step that meets it.
        let legal = try #require(run.clock("legal"))
        let legalFired = try #require(
            ClockAlerts.fire(legal, incident: run.incident, catalog: catalog, policy: Self.policy, now: legal.dueAt + 1))
        #expect(legalFired.outbox.first?.message.lines.last?.contains(.mention(Self.legalPerson)) == true)
        #expect(legalFired.outbox.first?.message.plainText.contains("/incident step INC-7 done report") == true)
    }

    @Test func aRoleOwnerMentionsTheRoleMembers() {
        let owners = StepOwners(policy: Self.policy, now: Fixtures.t0)
        let incident = Incident(number: 1, title: "x", severity: "sev1", category: "fraud", reporter: Fixtures.ava, platform: "slack", channel: "c", openedAt: Fixtures.t0, knownAt: Fixtures.t0)
        #expect(owners.people("support", for: incident).map(\.id) == ["U0LEAD"])
        #expect(owners.people("legal", for: incident) == [Self.legalPerson])
        #expect(owners.people("comms", for: incident).isEmpty)
    }

    @Test func everyShippedTypeAndAliasOpensItsOwnPlaybook() throws {
        let shipped = PlaybookCatalog(try Fixtures.shippedPlaybooks())
        let parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Fixtures.policy, catalog: shipped)
        #expect(shipped.playbooks.count >= 24)
        for playbook in shipped.playbooks {
            let severity = playbook.appliesTo.severities.first ?? "sev1"
            for word in playbook.typeWords {
                let context = CommandContext(policy: Fixtures.policy, now: Fixtures.t0, actor: Fixtures.dee, platform: "slack", channel: "ts", catalog: shipped)
                let outcome = try Lifecycle.planOpen(try parser.parse("open \(severity) \(word) Something happened"), context: context).outcome(number: 1)
                #expect(outcome.incident.playbook == playbook.id, "\(word) opens \(playbook.id)")
                #expect(outcome.incident.category == playbook.category)
                #expect(outcome.incident.restricted == (playbook.restricted || Fixtures.policy.category(named: playbook.category!)!.restricted))
            }
        }
    }

    // MARK: - Listing types

    @Test func typesListsEveryTypeUnderItsCategoryWithItsLegalClock() {
        let text = TypesView.reply(category: nil, catalog: catalog, policy: Self.policy).message.plainText
        #expect(text.contains("compliance"))
        #expect(text.contains("tco (also terrorist-content) — EU terrorist-content removal order · legal clock 1 h"))
        #expect(text.contains("sextortion — Sextortion · legal clock 2 d") || text.contains("sextortion — Sextortion · legal clock 48 h"))
        #expect(text.contains("· restricted"))
        let compliance = TypesView.reply(category: "tco", catalog: catalog, policy: Self.policy).message.plainText
        #expect(!compliance.contains("sextortion"))
    }
}
