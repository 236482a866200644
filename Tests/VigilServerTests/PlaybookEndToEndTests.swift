import Foundation
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// Playbooks over the Slack endpoint with the shipped playbooks (scenario 2: child safety).
@Suite struct PlaybookEndToEndTests {
    static let title = "Fan report of exploitative DMs from account 99812"

    @Test func childSafetyWalksTheCSAMPlaybookRedactedAndBlocksResolve() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            // Dee is cleared (roles.restricted): only cleared people work a restricted incident.
            // Open: the CSAM playbook (child safety's one) is attached, the reply is redacted, the
            // steps that open at once (evidence, report, suspension) are posted to the responder
            // privately while the channel gets ID, severity and category only.
            let (status, opened) = try await vigil.slack("open sev1 child-safety \(Self.title)", as: Fixtures.dee, client: client)
            #expect(status == .ok)
            #expect(opened.responseType == "ephemeral")
            #expect(opened.text.hasPrefix("INC-1 opened · SEV1 · child-safety (restricted)"))
            #expect(!opened.text.contains("99812") && !opened.text.contains("exploitative"))
            #expect(opened.text.contains("Playbook: Child safety — apparent CSAM"))
            #expect(opened.text.contains("3 steps are open now:"))
            #expect(opened.text.contains("• Preserve evidence — owner responder, due 22:40 UTC · /incident step INC-1 done preserve-evidence hash=… storage_ref=…"))
            #expect(opened.text.contains("• Report to the NCMEC CyberTipline — owner responder"))
            #expect(try await vigil.store.incident(1)?.playbook == "csam")
            let clocks = try await vigil.store.clocks(of: 1)
            #expect(clocks.contains { $0.kind == .legal && $0.rule?.contains("18 U.S.C. §2258A(a)") == true })
            // Every step whose deadline is already fixed (from known); the preservation hold's
            // deadline runs from its own start, so its clock starts when the report is done.
            #expect(clocks.filter { $0.kind == .step }.count == 4)
            #expect(!clocks.contains { $0.name == "step:preserve-report" })

            // Evidence is required, by name.
            let (_, missing) = try await vigil.slack("step 1 done preserve-evidence hash=ab12", as: Fixtures.dee, client: client)
            #expect(missing.responseType == "ephemeral")
            #expect(missing.text.contains("needs storage_ref"))

            // Complete the first step with its evidence: the open steps are posted, values stay private.
            vigil.clock.advance(by: 600)
            let (_, done) = try await vigil.slack(
                "step INC-1 done preserve-evidence hash=ab12cd34 storage_ref=\"vault/cs/1\"", as: Fixtures.dee, client: client)
            #expect(done.responseType == "ephemeral")
            #expect(done.text.contains("step 1/6 “Preserve evidence” done by @dee with hash, storage_ref (on time)"))
            #expect(done.text.contains("• Report to the NCMEC CyberTipline — owner responder"))
            #expect(!done.text.contains("vault/cs/1") && !done.text.contains("99812"))
            #expect(try await vigil.store.clocks(of: 1).first { $0.name == "step:preserve-evidence" }?.state == .met)

            // Resolve is refused while a blocking step is open, naming it. (Working a step
            // acknowledged the incident; it is not resolved.)
            let (_, refused) = try await vigil.slack("resolve 1 account suspended", as: Fixtures.dee, client: client)
            #expect(refused.responseType == "ephemeral")
            #expect(refused.text.contains("Report to the NCMEC CyberTipline"))
            #expect(refused.text.contains("must be done first"))
            #expect(try await vigil.store.incident(1)?.state == .acknowledged)

            // The report number meets the legal clock, and opens the preservation hold, whose clock starts.
            let (_, reported) = try await vigil.slack("step 1 done report-ncmec report_number=152683940", as: Fixtures.dee, client: client)
            #expect(reported.text.contains("“Report to the NCMEC CyberTipline” done"))
            #expect(try await vigil.store.clocks(of: 1).first { $0.kind == .legal }?.state == .met)
            #expect(try await vigil.store.clocks(of: 1).first { $0.name == "step:preserve-report" }?.state == .running)

            // The step history is shown by status to the restricted role; anyone else learns nothing.
            let (_, forAva) = try await vigil.slack("status 1", client: client)
            #expect(forAva.text.contains("that you may see"))
            #expect(!forAva.text.contains("152683940") && !forAva.text.contains("Suspend the account"))
            let (_, forDee) = try await vigil.slack("status 1", as: Fixtures.dee, client: client)
            #expect(forDee.text.contains("2/6 steps, open: Suspend the account"))
            #expect(forDee.text.contains("“Preserve evidence” done by @dee · hash=ab12cd34, storage_ref=vault/cs/1"))
            #expect(forDee.text.contains("report_number=152683940"))

            // `step` alone shows the open steps privately.
            let (_, current) = try await vigil.slack("step 1", as: Fixtures.dee, client: client)
            #expect(current.responseType == "ephemeral")
            #expect(current.text.contains("• Suspend the account — owner responder"))
        }
        _ = try await vigil.app.delivery.deliverDue()
        #expect(vigil.console.all.map(\.text) == [
            "INC-1 opened · SEV1 · child-safety (restricted) · reporter @dee · ack due 21:45 UTC",
            "INC-1 · SEV1 · child-safety (restricted) · step 1/6 done by @dee",
            "INC-1 · SEV1 · child-safety (restricted) · step 2/6 done by @dee",
        ])
        let kinds = try await vigil.store.events(of: 1).map(\.kind)
        // The first step worked acknowledged the incident, before the step's own event.
        #expect(kinds == [.opened, .acknowledged, .stepCompleted, .stepCompleted])
        #expect(EventChain.verify(try await vigil.store.events(of: 1)))
    }

    @Test func scenarioOneAttachesAccountTakeoverWithItsFirstStepDueIn15Minutes() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            // Fraud has several playbooks: the type word (ato) names account takeover.
            let (_, opened) = try await vigil.slack("open sev1 ato Payout destination changed on @topcreator --ref ZD-88213", client: client)
            #expect(opened.text.contains("INC-1 opened · SEV1 · fraud — Payout destination changed on @topcreator · reporter "))
            #expect(opened.text.contains("ref ZD-88213 · ack due 21:45 UTC"))
            #expect(opened.text.contains("Playbook: Account takeover"))
            #expect(opened.text.contains("• Freeze payouts and sessions — owner responder, due 21:55 UTC"))
            #expect(try await vigil.store.incident(1)?.playbook == "account-takeover")
        }
    }

    @Test func scenarioThreeRunsTheLegalClockFromKnownAt() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, opened) = try await vigil.slack(
                #"open sev1 compliance Removal order from a competent authority --playbook tco-removal --known "2026-11-28 21:36""#, client: client)
            #expect(opened.text.contains("Regulation (EU) 2021/784"))
            #expect(opened.text.contains("due 22:36 UTC"))
            let legal = try #require(try await vigil.store.clocks(of: 1).first { $0.kind == .legal })
            #expect(legal.dueAt == Fixtures.t0 - 240 + 3600)
        }
    }
}
