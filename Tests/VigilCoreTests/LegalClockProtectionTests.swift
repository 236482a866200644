import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Finding 4 of issue 10: a legal clock disappears only when its duty is done or a lead or
/// counsel waives it with a reason. Switching playbooks and changing severity keep it running.
@Suite struct LegalClockProtectionTests {
    let parser: CommandParser
    let catalog: PlaybookCatalog

    static let lead = UserRef(id: "U0LEAD", name: "lead", platform: "slack")
    static let counsel = UserRef(id: "U0LEGAL", name: "counsel", platform: "slack")

    /// Dee is cleared; the lead and counsel are cleared too, so that only their role decides.
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.roles = RoleAssignments([
            .restricted: [Fixtures.dee.identity!, lead.identity!, counsel.identity!],
            .lead: [lead.identity!],
            .legal: [counsel.identity!],
        ])
        return policy
    }()

    init() throws {
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Self.policy)
        let shipped = try Fixtures.shippedPlaybooks()
        // A second child-safety playbook without a legal clock, to switch to.
        let plain = Playbook(
            id: "cs-triage", title: "Child safety triage", summary: "", appliesTo: IncidentMatch(categories: ["child-safety"]),
            steps: [PlaybookStep(id: "triage", title: "Triage", instructions: "Triage.", owner: "responder")])
        catalog = PlaybookCatalog(shipped + [plain])
    }

    func run(_ text: String, on incident: Incident?, clocks: [ClockRow] = [], by actor: UserRef = Fixtures.dee, at now: Date = Fixtures.t0) throws -> Outcome {
        let command = try parser.parse(text)
        let context = CommandContext(policy: Self.policy, now: now, actor: actor, platform: "slack", channel: "ts", catalog: catalog)
        if command.subcommand == .open { return try Lifecycle.planOpen(command, context: context).outcome(number: 58) }
        return try Lifecycle.apply(command, to: incident, clocks: clocks, context: context)
    }

    /// A CSAM incident with its NCMEC clock running. Child safety has two candidate playbooks
    /// here (csam and cs-triage), so `open` names the one it means.
    func csam() throws -> (Incident, [ClockRow]) {
        let opened = try run("open sev1 child-safety Reported upload --playbook csam", on: nil)
        #expect(opened.incident.playbook == "csam")
        #expect(opened.clocks.contains { $0.kind == .legal && $0.state == .running })
        return (opened.incident, opened.clocks)
    }

    /// Applies the outcome's clock rows over `clocks`, as the store's upsert by name does.
    func merged(_ clocks: [ClockRow], _ outcome: Outcome) -> [ClockRow] {
        var rows = clocks
        for row in outcome.clocks {
            if let index = rows.firstIndex(where: { $0.name == row.name }) { rows[index] = row } else { rows.append(row) }
        }
        return rows
    }

    @Test("finding 4: switching a CSAM incident to harassment is refused, with the playbooks that apply")
    func switchToAnotherCategoryIsRefused() throws {
        let (incident, clocks) = try csam()
        let refusal = #expect(throws: UserError.self) { try run("playbook 58 harassment", on: incident, clocks: clocks) }
        #expect(refusal?.message.contains("not for child-safety incidents") == true)
        #expect(refusal?.message.contains("csam") == true)
    }

    @Test("finding 4: open … child-safety --playbook doxxing is refused with the applicable playbooks")
    func openWithAnotherCategorysPlaybookIsRefused() throws {
        let refusal = #expect(throws: UserError.self) { try run("open sev1 child-safety Upload --playbook doxxing", on: nil) }
        #expect(refusal?.message.contains("For child-safety incidents: csam, cs-triage.") == true)
    }

    @Test("finding 4: switching playbooks keeps the old playbook's running legal clock")
    func switchKeepsTheLegalClock() throws {
        let (incident, clocks) = try csam()
        let switched = try run("playbook 58 cs-triage", on: incident, clocks: clocks, at: Fixtures.t0 + 60)
        let after = merged(clocks, switched)
        let legal = try #require(after.first { $0.kind == .legal })
        #expect(legal.state == .running)
        #expect(switched.incident.restricted)
        // And back: the NCMEC clock is not restarted or duplicated.
        let back = try run("playbook 58 csam", on: switched.incident, clocks: after, at: Fixtures.t0 + 120)
        let final = merged(after, back)
        #expect(final.filter { $0.kind == .legal }.count == 1)
        #expect(final.first { $0.kind == .legal }?.state == .running)
    }

    @Test("finding 4: changing severity keeps the legal clock, and an uncleared user may not change it")
    func severityChangeKeepsTheLegalClock() throws {
        let (incident, clocks) = try csam()
        let lowered = try run("sev 58 sev3", on: incident, clocks: clocks, at: Fixtures.t0 + 60)
        #expect(!lowered.clocks.contains { $0.kind == .legal })
        #expect(merged(clocks, lowered).first { $0.kind == .legal }?.state == .running)
        #expect(throws: UserError.self) { try run("sev 58 sev3", on: incident, clocks: clocks, by: Fixtures.ava) }
        #expect(throws: UserError.self) { try run("resolve 58 nothing to see", on: incident, clocks: clocks, by: Fixtures.ava) }
    }

    @Test("completing the step that meets the duty stops the legal clock")
    func completingTheDutyStopsIt() throws {
        var (incident, clocks) = try csam()
        // Several steps are open at once: each command names its step.
        let preserved = try run("step 58 done preserve-evidence hash=abc storage_ref=EV-1", on: incident, clocks: clocks, at: Fixtures.t0 + 60)
        (incident, clocks) = (preserved.incident, merged(clocks, preserved))
        let reported = try run("step 58 done report-ncmec report_number=152683940", on: incident, clocks: clocks, at: Fixtures.t0 + 120)
        #expect(merged(clocks, reported).first { $0.kind == .legal }?.state == .met)
    }

    @Test("finding 4: a lead or counsel waives a legal clock with a recorded reason", arguments: [lead, counsel])
    func waiverByLeadOrLegal(_ actor: UserRef) throws {
        let (incident, clocks) = try csam()
        let waived = try run("waive 58 report-ncmec Counsel: not apparent CSAM (LEGAL-311)", on: incident, clocks: clocks, by: actor, at: Fixtures.t0 + 60)
        let legal = try #require(waived.clocks.first { $0.kind == .legal })
        #expect(legal.state == .cancelled)
        #expect(legal.stoppedAt == Fixtures.t0 + 60)
        let event = try #require(waived.events.first)
        #expect(event.kind == .clockWaived)
        #expect(event.actor == actor)
        #expect(event.payload["reason"] == "Counsel: not apparent CSAM (LEGAL-311)")
        #expect(event.payload["clock"] == "legal")
        // The channels learn that it happened, not the rule or the reason of a restricted incident.
        #expect(waived.outbox.allSatisfy { !$0.message.plainText.contains("LEGAL-311") })
        #expect(waived.reply.visibility == .ephemeral)
    }

    @Test("finding 4: a waiver needs the lead or legal role and a reason")
    func waiverIsGuarded() throws {
        let (incident, clocks) = try csam()
        let byResponder = #expect(throws: UserError.self) { try run("waive 58 legal no duty", on: incident, clocks: clocks, by: Fixtures.dee) }
        #expect(byResponder?.message.contains("Only people with the `lead` or `legal` role") == true)
        #expect(throws: UserError.self) { try run("waive 58 legal", on: incident, clocks: clocks, by: Self.lead) }
        let unknown = #expect(throws: UserError.self) { try run("waive 58 ack because", on: incident, clocks: clocks, by: Self.lead) }
        #expect(unknown?.message.contains("no running legal clock “ack”") == true)
    }
}
