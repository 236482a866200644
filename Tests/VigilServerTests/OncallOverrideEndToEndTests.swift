import Foundation
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// `oncall cover` over the Slack endpoint: an override made in chat changes whom `oncall` shows
/// (and whom level 1 reaches), and with `approval: lead` a responder's waits for a lead.
@Suite struct OncallOverrideEndToEndTests {
    static let lead = UserRef(id: "U0LEAD", name: "lead", platform: "slack")

    /// ts-primary: Ava and Ben in daily shifts handed off at 09:00 Berlin; Ava is on at
    /// `Fixtures.t0` (Sat 28 Nov 22:40 Berlin) until Sun 29 Nov 09:00. Level 1 notifies it.
    static func policy(approval: OncallOverrideApproval) -> Policy {
        var policy = Fixtures.policy
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        policy.timeZone = berlin
        policy.roles = RoleAssignments([.lead: [Identity(platform: "slack", id: "U0LEAD")]])
        policy.oncallOverrideApproval = approval
        policy.oncall = [
            OncallSchedule(
                name: "ts-primary", members: [UserRef(id: "U0AVA", name: "U0AVA"), UserRef(id: "U0BEN", name: "U0BEN")],
                shift: .seconds(86_400), handoff: DateComponents(year: 2026, month: 11, day: 28, hour: 9, minute: 0), timeZone: berlin)
        ]
        policy.escalationLevels = [
            EscalationLevel(name: "responders", notify: [.schedule("ts-primary")]), EscalationLevel(name: "lead", notify: [.user(lead)]),
        ]
        return policy
    }

    @Test func aCoverFromChatChangesWhomOncallShows() async throws {
        let vigil = try TestVigil(policy: Self.policy(approval: .none))
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, before) = try await vigil.slack("oncall ts-primary", as: Fixtures.ben, client: client)
            #expect(before.text.contains("now @U0AVA until"), "\(before.text)")

            // MUT: Ben takes the rest of Ava's shift
            let (status, covered) = try await vigil.slack(
                "oncall cover <@U0BEN> for <@U0AVA> now..2026-11-29 09:00", as: Fixtures.ben, client: client)

            // validate
            #expect(status == .ok)
            #expect(covered.responseType == "in_channel")
            // People are mentioned by their Slack IDs, never by a typed name.
            #expect(covered.raw.contains("<@U0BEN> covers <@U0AVA>"), "\(covered.raw)")
            #expect(
                covered.text.contains(
                    "@U0BEN covers @U0AVA in ts-primary from Sat 28 Nov 22:40 to Sun 29 Nov 09:00 (Europe/Berlin) · override 1 · by @ben"
                ), "\(covered.text)")
            let (_, after) = try await vigil.slack("oncall", as: Fixtures.ava, client: client)
            #expect(after.text.contains("now @U0BEN until"), "\(after.text)")
            #expect(after.text.contains("(covering @U0AVA)"), "\(after.text)")
            #expect(after.text.contains("ts-primary (@U0BEN)"), "\(after.text)")
            let (_, overrides) = try await vigil.slack("oncall overrides", as: Fixtures.ava, client: client)
            #expect(overrides.responseType == "ephemeral")
            #expect(overrides.text.contains("@U0BEN covers @U0AVA in ts-primary"), "\(overrides.text)")
            #expect(overrides.text.contains("in force now"), "\(overrides.text)")

            // Someone else may not cancel it; its maker may, and Ava is on again.
            let (_, refused) = try await vigil.slack("oncall cancel 1", as: Fixtures.dee, client: client)
            #expect(refused.responseType == "ephemeral")
            #expect(
                refused.text.contains("Only @ben, who made override 1, or someone with the `lead` role may cancel it."), "\(refused.text)")
            let (_, cancelled) = try await vigil.slack("oncall cancel 1", as: Fixtures.ben, client: client)
            #expect(cancelled.text.contains("Override 1 cancelled by @ben"), "\(cancelled.text)")
            let (_, again) = try await vigil.slack("oncall ts-primary", as: Fixtures.ben, client: client)
            #expect(again.text.contains("now @U0AVA until"), "\(again.text)")
        }
        let stored = try #require(try await vigil.store.oncallOverride(id: 1))
        #expect(stored.createdBy.storedID == "slack:U0BEN" && stored.cancelledBy?.storedID == "slack:U0BEN")
    }

    @Test func withApprovalAResponderOverrideWaitsForALead() async throws {
        let vigil = try TestVigil(policy: Self.policy(approval: .lead))
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            // MUT: Ben's own override is pending
            let (_, pending) = try await vigil.slack(
                "oncall cover <@U0BEN> for <@U0AVA> now..2026-11-29 09:00", as: Fixtures.ben, client: client)
            #expect(pending.text.contains("pending: it changes nothing until a lead approves it"), "\(pending.text)")
            let (_, unchanged) = try await vigil.slack("oncall ts-primary", as: Fixtures.ben, client: client)
            #expect(unchanged.text.contains("now @U0AVA until"), "\(unchanged.text)")
            let (_, listed) = try await vigil.slack("oncall overrides", as: Fixtures.ben, client: client)
            #expect(listed.text.contains("pending approval"), "\(listed.text)")
            // Only a lead approves.
            let (_, refused) = try await vigil.slack("oncall approve 1", as: Fixtures.ben, client: client)
            #expect(refused.responseType == "ephemeral")
            #expect(refused.text.contains("Only people with the `lead` role may approve an on-call override"), "\(refused.text)")
            let (_, approved) = try await vigil.slack("oncall approve 1", as: Self.lead, client: client)
            #expect(approved.responseType == "in_channel")
            #expect(approved.text.contains("Override 1 approved by @lead"), "\(approved.text)")

            // validate: now it applies
            let (_, after) = try await vigil.slack("oncall ts-primary", as: Fixtures.ben, client: client)
            #expect(after.text.contains("now @U0BEN until"), "\(after.text)")
            // A lead's own override applies at once.
            let (_, leads) = try await vigil.slack(
                "oncall cover <@U0DEE> for <@U0BEN> 2026-11-29 09:00..2026-11-29 12:00", as: Self.lead, client: client)
            #expect(!leads.text.contains("pending"), "\(leads.text)")
            #expect(try await vigil.store.oncallOverride(id: 2)?.isInForce == true)
        }
    }

    @Test func aBreachAlertMentionsWhoeverCovers() async throws {
        // setup: Ben covers the rest of Ava's shift, then a sev1 goes unacknowledged
        let vigil = try TestVigil(policy: Self.policy(approval: .none))
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("oncall cover <@U0BEN> for <@U0AVA> now..2026-11-29 09:00", as: Fixtures.ben, client: client)
            _ = try await vigil.slack("open sev1 card-testing Card testing spike", as: Fixtures.dee, client: client)
        }
        vigil.clock.advance(by: 300)
        // MUT
        #expect(try await vigil.app.scheduler.fireDue() == 1)
        _ = try await vigil.app.delivery.deliverDue()
        // validate
        let alert = try #require(vigil.console.all.first { $0.channel == "oncall" && $0.text.contains("ack target breached") }?.text)
        #expect(alert.contains("Act now: @U0BEN"), "\(alert)")
        #expect(!alert.contains("@U0AVA"), "\(alert)")
    }
}
