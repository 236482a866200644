import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// The playbook engine: attaching, walking, evidence, approval, blocking and clocks.
@Suite struct PlaybookTests {
    static let takeover = Playbook(
        id: "account-takeover", title: "Account takeover", summary: "ATO", appliesTo: IncidentMatch(categories: ["fraud"]),
        steps: [
            PlaybookStep(id: "freeze", title: "Freeze payouts and sessions", instructions: "Freeze payouts.\nEnd sessions.", owner: "responder", due: .seconds(900)),
            PlaybookStep(id: "escalate-bank", title: "Call the payment partner", instructions: "Call them.", owner: "lead", when: IncidentMatch(severities: ["sev1"]),
                         after: ["freeze"]),
            // After both: below sev1 `escalate-bank` does not apply and is not waited for.
            PlaybookStep(id: "verify", title: "Verify the owner", instructions: "Independently.", owner: "responder",
                         requires: [EvidenceField(name: "method", description: "How the owner was verified")], blocking: true,
                         after: ["freeze", "escalate-bank"]),
            PlaybookStep(id: "notify", title: "Notify the creator", instructions: "Email them.", owner: "support", after: ["verify"]),
        ])
    static let payments = Playbook(
        id: "payment-fraud", title: "Payment fraud", summary: "Cards", appliesTo: IncidentMatch(categories: ["fraud"], severities: ["sev3"]),
        steps: [PlaybookStep(id: "block", title: "Block the BIN range", instructions: "Block.", owner: "responder", due: .seconds(3600))])
    static let disclosure = Playbook(
        id: "le-emergency", title: "Emergency disclosure", summary: "LE", appliesTo: IncidentMatch(categories: ["compliance"]),
        legal: LegalClock(rule: "Removal order", citation: "Regulation (EU) 2021/784, Art. 3(3)", due: .seconds(3600)),
        steps: [
            PlaybookStep(id: "verify-requester", title: "Verify the requester", instructions: "Call back.", owner: "legal",
                         requires: [EvidenceField(name: "contact", description: "Independently found contact")]),
            PlaybookStep(id: "disclose", title: "Decide and disclose", instructions: "Decide.", owner: "legal", due: .seconds(1800),
                         twoPersonApproval: true, blocking: true, completesLegal: true, after: ["verify-requester"]),
        ])

    // Each step waits for the one before it (`after:`), so exactly one is open at a time.
    // Payment fraud is for sev3 only, account takeover for any fraud: a sev3 fraud incident has
    // two candidates, any other fraud incident one.
    let catalog = PlaybookCatalog([payments, takeover, disclosure])
    let parser: CommandParser

    init() throws {
        // With the catalog, so that a playbook's type word is accepted where the category goes.
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Fixtures.policy, catalog: catalog)
    }

    func run(
        _ text: String, on incident: Incident? = nil, clocks: [ClockRow] = [], by actor: UserRef = Fixtures.ava, at now: Date = Fixtures.t0
    ) throws -> Outcome {
        let command = try parser.parse(text)
        let context = Fixtures.context(actor, at: now, catalog: catalog)
        if command.subcommand == .open { return try Lifecycle.planOpen(command, context: context).outcome(number: 57) }
        return try Lifecycle.apply(command, to: incident, clocks: clocks, context: context)
    }

    // MARK: - Attaching

    @Test func openAttachesTheOneMatchingPlaybookAndPostsItsFirstStep() throws {
        // Payment fraud is not for sev1: account takeover is the one candidate.
        let outcome = try run("open sev1 fraud Payout destination changed")
        #expect(outcome.incident.playbook == "account-takeover")
        let text = outcome.reply.message.plainText
        #expect(text.contains("Playbook: Account takeover"))
        #expect(text.contains("Step 1/4: Freeze payouts and sessions — owner responder, due 21:55 UTC"))
        #expect(text.contains("Freeze payouts.\nEnd sessions."))
        #expect(outcome.outbox.first?.message == outcome.reply.message)
        // A sev3 fraud incident has two candidates: none is guessed, the reply offers them.
        let undecided = try run("open sev3 fraud Card testing")
        #expect(undecided.incident.playbook == nil)
        #expect(undecided.reply.message.plainText.contains("playbook not chosen"))
        // The type word in the category's place chooses one.
        #expect(try run("open sev3 payment-fraud Card testing").incident.playbook == "payment-fraud")
        #expect(try run("open sev1 moderation Brigading").incident.playbook == nil)
    }

    @Test func playbookOptionChoosesAnother() throws {
        #expect(try run("open sev1 fraud Card testing --playbook payment-fraud").incident.playbook == "payment-fraud")
        #expect {
            try run("open sev1 fraud X --playbook nope")
        } throws: { ($0 as? UserError)?.message.contains("For fraud incidents: payment-fraud, account-takeover.") == true }
    }

    @Test func whenConditionsDecideWhichStepsApply() throws {
        let sev1 = PlaybookProgress(playbook: Self.takeover, incident: try run("open sev1 fraud X").incident)
        let sev2 = PlaybookProgress(playbook: Self.takeover, incident: try run("open sev2 fraud X").incident)
        #expect(sev1.steps.map(\.id) == ["freeze", "escalate-bank", "verify", "notify"])
        #expect(sev2.steps.map(\.id) == ["freeze", "verify", "notify"])
    }

    // MARK: - Walking the steps

    @Test func stepsAreDoneInOrderAndTheNextIsPosted() throws {
        var incident = try run("open sev2 fraud X").incident
        let first = try run("step 57 done", on: incident, at: Fixtures.t0 + 600)
        incident = first.incident
        // Working a step of an unacknowledged incident acknowledges it first.
        #expect(first.events.map(\.kind) == [.acknowledged, .stepCompleted])
        #expect(first.reply.message.plainText.contains("step 1/3 “Freeze payouts and sessions” done by @ava (on time)"))
        #expect(first.reply.message.plainText.contains("Step 2/3: Verify the owner"))
        // Each later `done` comes minutes after the one before: a bare `done` moments after
        // one's own is refused as a possible repeat.
        let second = try run("step 57 done method=\"video call with ID\"", on: incident, at: Fixtures.t0 + 900)
        #expect(second.incident.steps.last?.step == "verify")
        #expect(second.incident.steps.last?.evidence == ["method": "video call with ID"])
        #expect(second.reply.message.plainText.contains("done by @ava with method"))
        #expect(!second.reply.message.plainText.contains("video call"), "evidence values stay out of the channel")
        let third = try run("step 57 done", on: second.incident, at: Fixtures.t0 + 1200)
        #expect(third.incident.steps.last?.step == "notify")
        #expect(third.reply.message.plainText.contains("All steps of “Account takeover” are done or skipped."))
        #expect {
            try run("step 57 done", on: third.incident, at: Fixtures.t0 + 1500)
        } throws: { ($0 as? UserError)?.message.contains("every step is done or skipped") == true }
    }

    @Test func requiredEvidenceIsEnforcedNamingTheMissingField() throws {
        var incident = try run("open sev2 fraud X").incident
        incident = try run("step 57 done", on: incident).incident
        #expect {
            try run("step 57 done", on: incident)
        } throws: { error in
            (error as? UserError)?.message == "“Verify the owner” needs method (How the owner was verified): `/incident step INC-57 done verify method=…`."
        }
        #expect {
            try run("step 57 done methd=call", on: incident)
        } throws: { ($0 as? UserError)?.message == "“Verify the owner” has no field “methd”; it records method." }
        #expect(throws: UserError.self) { try run("step 57 done method=\"unclosed", on: incident) }
        #expect(throws: UserError.self) { try run("step 57 done just words", on: incident) }
    }

    @Test func skippingNeedsAReasonAndNeverSkipsABlockingStep() throws {
        let incident = try run("open sev2 fraud X").incident
        #expect(throws: UserError.self) { try run("step 57 skip", on: incident) }
        let skipped = try run("step 57 skip sessions already ended by the creator", on: incident)
        #expect(skipped.incident.steps.last?.status == .skipped)
        #expect(skipped.clocks.map(\.state) == [.cancelled])
        #expect {
            try run("step 57 skip no time", on: skipped.incident)
        } throws: { ($0 as? UserError)?.message.contains("cannot be skipped") == true }
    }

    // MARK: - Two-person approval

    @Test func twoPersonStepsNeedASecondDifferentApprover() throws {
        var incident = try run("open sev1 compliance Emergency request").incident
        incident = try run("step 57 done contact=\"desk sergeant via published number\"", on: incident).incident
        let marked = try run("step 57 done", on: incident)
        #expect(marked.incident.steps.last?.status == .awaitingApproval)
        #expect(marked.clocks.isEmpty, "not done until approved")
        #expect(marked.reply.message.plainText.contains("/incident step INC-57 approve disclose"))
        #expect {
            try run("step 57 approve disclose", on: marked.incident)
        } throws: { ($0 as? UserError)?.message == "You marked “Decide and disclose” done (from this or another of your accounts); a second, different person must approve it." }
        #expect(throws: UserError.self) { try run("step 57 done", on: marked.incident, by: Fixtures.ben) }
        let approved = try run("step 57 approve disclose", on: marked.incident, by: Fixtures.ben, at: Fixtures.t0 + 1200)
        #expect(approved.incident.steps.last?.status == .done)
        #expect(approved.incident.steps.last?.approvedBy == Fixtures.ben)
        #expect(approved.events.map(\.kind) == [.stepApproved])
        // The step and the legal clock it completes stop at the approval, in time.
        #expect(Set(approved.clocks.map(\.name)) == ["step:disclose", "legal"])
        #expect(approved.clocks.allSatisfy { $0.state == .met && $0.stoppedAt == Fixtures.t0 + 1200 })
    }

    // MARK: - Blocking

    @Test func resolveIsRefusedWhileABlockingStepIsOpenAndNamesIt() throws {
        var incident = try run("open sev2 fraud X").incident
        #expect {
            try run("resolve 57 all good", on: incident)
        } throws: { error in
            let message = (error as? UserError)?.message ?? ""
            return message.contains("INC-57 cannot be resolved yet: “Verify the owner” must be done first")
                && message.contains("/incident step INC-57 done verify method=…")
        }
        incident = try run("step 57 done", on: incident).incident
        incident = try run("step 57 done method=call", on: incident).incident
        let resolved = try run("resolve 57 owner secured", on: incident)
        #expect(resolved.incident.state == .resolved)
    }

    // MARK: - Clocks

    @Test func attachingStartsStepAndLegalClocksFromKnownAt() throws {
        let outcome = try run(#"open sev1 compliance Order --known "2026-11-28 21:30""#)
        let known = Fixtures.t0 - 600
        // With no warning thresholds configured, each clock's first firing is its deadline.
        #expect(outcome.clocks.filter { $0.kind == .step || $0.kind == .legal } == [
            ClockRow(incident: 57, name: "step:disclose", kind: .step, startedAt: known, dueAt: known + 1800, nextFireAt: known + 1800),
            ClockRow(incident: 57, name: "legal", kind: .legal, startedAt: known, dueAt: known + 3600,
                     rule: "Removal order (Regulation (EU) 2021/784, Art. 3(3))", nextFireAt: known + 3600),
        ])
        #expect(outcome.reply.message.plainText.contains("Legal clock: Removal order (Regulation (EU) 2021/784, Art. 3(3)), due 22:30 UTC"))
    }

    @Test func aLateStepStopsItsClockAsMissed() throws {
        let incident = try run("open sev2 fraud X").incident
        let late = try run("step 57 done", on: incident, at: Fixtures.t0 + 1500)
        #expect(late.clocks.map(\.state) == [.missed])
        #expect(late.reply.message.plainText.contains("(10 min late)"))
    }

    @Test func resolvingKeepsUnfinishedStepClocksRunningAsFollowUps() throws {
        let opened = try run("open sev3 payment-fraud Card testing")
        #expect(opened.clocks.contains { $0.name == "step:block" && $0.state == .running })
        let resolved = try run("resolve 57 false positive", on: opened.incident, clocks: opened.clocks)
        #expect(resolved.incident.state == .resolved)
        // The unfinished step keeps its clock: no row for it is stopped or cancelled.
        #expect(!resolved.clocks.contains { $0.name == "step:block" })
        let text = resolved.reply.message.plainText
        #expect(text.contains("Follow-ups still open (1)"))
        #expect(text.contains("• “Block the BIN range” — owner responder"))
        #expect(text.contains("due 22:40 UTC"))
    }

    // MARK: - Switching

    @Test func switchingPlaybooksCancelsOldClocksAndStartsNewOnes() throws {
        let incident = try run("open sev1 fraud X").incident
        let switched = try run("playbook 57 payment-fraud", on: incident)
        #expect(switched.incident.playbook == "payment-fraud")
        #expect(switched.events.map(\.kind) == [.playbookChanged])
        #expect(switched.clocks.map { "\($0.name):\($0.state.rawValue)" } == ["step:freeze:cancelled", "step:block:running"])
        #expect(switched.reply.message.plainText.contains("Step 1/1: Block the BIN range"))
        #expect(throws: UserError.self) { try run("playbook 57 payment-fraud", on: switched.incident) }
        #expect(throws: UserError.self) { try run("playbook 57 nope", on: switched.incident) }
    }

    @Test func switchingAfterAStepIsRecordedKeepsTheRecord() throws {
        let progressed = try run("step 57 done", on: try run("open sev1 fraud X").incident).incident
        let switched = try run("playbook 57 payment-fraud", on: progressed, at: Fixtures.t0 + 60)
        #expect(switched.incident.playbook == "payment-fraud")
        #expect(switched.events.map(\.kind) == [.playbookChanged])
        // The old playbook's step stays on record, under the playbook it belonged to.
        #expect(switched.incident.steps.count == 1)
        #expect(switched.incident.steps.first?.step == "freeze")
        #expect(switched.incident.steps.first?.playbook == "account-takeover")
        #expect(switched.incident.steps.first?.status == .done)
        // The new playbook starts from its first step.
        #expect(switched.reply.message.plainText.contains("Step 1/1: Block the BIN range"))
    }

    // MARK: - Views

    @Test func statusShowsProgressAndStepHistory() throws {
        var incident = try run("open sev1 compliance Emergency request").incident
        incident = try run("step 57 done contact=\"published number\"", on: incident, at: Fixtures.t0 + 60).incident
        let status = IncidentViews.status(of: incident, events: [], outbox: nil, context: Fixtures.context(catalog: catalog))
        let text = status.message.plainText
        #expect(text.contains("Playbook Emergency disclosure: 1/2 steps, open: Decide and disclose, due 22:10 UTC"))
        #expect(text.contains("21:41 UTC “Verify the requester” done by @ava · contact=published number"))
        let step = IncidentViews.step(of: incident, context: Fixtures.context(catalog: catalog))
        #expect(step.visibility == .ephemeral)
        #expect(step.message.plainText.contains("Step 2/2: Decide and disclose — owner legal, due 22:10 UTC"))
        #expect(step.message.plainText.contains("then a second, different person approves it"))
    }
}

@Suite struct RestrictedPlaybookTests {
    static let playbook = Playbook(
        id: "csam", title: "Child safety", summary: "CS", appliesTo: IncidentMatch(categories: ["child-safety"]),
        steps: [PlaybookStep(id: "preserve", title: "Preserve evidence", instructions: "Hash it.", owner: "responder")])

    @Test func stepDetailsGoToTheActorPrivatelyAndChannelsGetIDSeverityCategory() throws {
        let parser = try Fixtures.parser()
        let catalog = PlaybookCatalog([Self.playbook])
        // Dee is cleared (issue 10: only cleared people read or work a restricted incident).
        let opened = try Fixtures.apply("open sev1 child-safety Secret title", to: nil, by: Fixtures.dee, catalog: catalog, parser: parser)
        #expect(opened.reply.visibility == .ephemeral)
        #expect(opened.reply.message.plainText.contains("Step 1/1: Preserve evidence"))
        #expect(opened.outbox.map(\.message.plainText) == ["INC-1 opened · SEV1 · child-safety (restricted) · reporter @dee · ack due 21:45 UTC"])
        let done = try Fixtures.apply("step 1 done", to: opened.incident, by: Fixtures.dee, catalog: catalog, parser: parser)
        #expect(done.reply.visibility == .ephemeral)
        #expect(done.outbox.map(\.message.plainText) == ["INC-1 · SEV1 · child-safety (restricted) · step 1/1 done by @dee"])
    }
}
