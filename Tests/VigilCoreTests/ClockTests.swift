import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// SLA clocks planned and fired with explicit times: the core never reads the clock.
@Suite struct ClockTests {
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.severities = [
            Severity(name: "sev1", ack: .seconds(300), resolve: .seconds(4 * 3600), warn: [0.5, 0.9], repeat: .seconds(600)),
            Severity(name: "sev2", ack: .seconds(1800), resolve: .seconds(24 * 3600), warn: [0.75]),
            Severity(name: "sev3", ack: .seconds(4 * 3600)),
        ]
        policy.categories.append(Category(name: "privacy", legal: LegalClock(rule: "GDPR breach notification", citation: "GDPR Art. 33", due: .seconds(72 * 3600))))
        policy.escalationLevels = [
            EscalationLevel(name: "responders", notify: [.user(UserRef(id: "U0AVA", name: "ava"))]),
            EscalationLevel(name: "lead", notify: [.user(UserRef(id: "U0DEE", name: "dee"))], after: .seconds(900)),
            EscalationLevel(name: "head", notify: [.user(UserRef(id: "U0HEAD", name: "head"))], after: .seconds(1800)),
        ]
        policy.escalationRepeats = 1
        return policy
    }()

    let parser: CommandParser
    let t0 = Fixtures.t0

    init() throws {
        parser = try CommandParser(specs: Fixtures.shippedSpecs(), policy: Self.policy)
    }

    func context(_ actor: UserRef = Fixtures.ava, at now: Date) -> CommandContext {
        CommandContext(policy: Self.policy, now: now, actor: actor, platform: "slack", channel: "ts")
    }

    func open(_ text: String = "open sev1 fraud Payout redirect", at now: Date? = nil) throws -> Outcome {
        try Lifecycle.planOpen(try parser.parse(text), context: context(at: now ?? t0)).outcome(number: 57)
    }

    func apply(_ text: String, _ incident: Incident, clocks: [ClockRow], at now: Date, by actor: UserRef = Fixtures.ava) throws -> Outcome {
        try Lifecycle.apply(try parser.parse(text), to: incident, clocks: clocks, context: context(actor, at: now))
    }

    func fire(_ row: ClockRow, _ incident: Incident, at now: Date) -> ClockFiring? {
        ClockAlerts.fire(row, incident: incident, catalog: PlaybookCatalog(), policy: Self.policy, now: now)
    }

    func row(_ name: String, in rows: [ClockRow]) -> ClockRow { rows.first { $0.name == name }! }

    // MARK: - Planning

    @Test func openStartsAckResolveAndEscalationClocksWithWarningsFirst() throws {
        let clocks = try open().clocks
        #expect(clocks.map(\.name) == ["ack", "resolve", "escalation"])
        let ack = row("ack", in: clocks)
        #expect(ack.dueAt == t0 + 300)
        #expect(ack.nextFireAt == t0 + 150, "first warning at 50 %")
        #expect(row("resolve", in: clocks).nextFireAt == t0 + 7200)
        #expect(row("escalation", in: clocks).dueAt == t0 + 900, "level 2 after 15 min unacknowledged")
    }

    @Test func knownAtInThePastStartsClocksThereAndCanBreachAtOnce() throws {
        let clocks = try open(#"open sev1 fraud Late --known "2026-11-28 21:30""#).clocks
        let ack = row("ack", in: clocks)
        #expect(ack.startedAt == t0 - 600 && ack.dueAt == t0 - 300)
        #expect(ack.nextFireAt! <= t0, "due in the past: the scheduler fires at once")
    }

    @Test func aCategoryLegalClockRunsFromKnownAt() throws {
        let outcome = try open(#"open sev2 privacy Leaked export --known "2026-11-28 20:40""#)
        let legal = row("legal", in: outcome.clocks)
        #expect(legal.kind == .legal && legal.dueAt == t0 - 3600 + 72 * 3600)
        #expect(legal.rule == "GDPR breach notification (GDPR Art. 33)")
        #expect(outcome.reply.message.plainText.contains("Legal clock: GDPR breach notification (GDPR Art. 33) due"))
    }

    // MARK: - Firing

    @Test func warningsAtEachThresholdThenBreachThenRepeats() throws {
        let opened = try open()
        var incident = opened.incident
        var ack = row("ack", in: opened.clocks)

        let first = try #require(fire(ack, incident, at: t0 + 150))
        #expect(first.events.map(\.kind) == [.clockWarned])
        #expect(first.events[0].payload["threshold"] == "50%")
        #expect(first.outbox.map(\.channel) == [.oncall])
        let warning = first.outbox[0].message.plainText
        #expect(warning.contains("⚠ INC-57 · SEV1 · fraud — Payout redirect · ack target due in 2 min (21:45 UTC)"))
        #expect(warning.contains("Act now: @ava · /incident ack INC-57"))
        #expect(first.row.warningsSent == 1 && first.row.nextFireAt == t0 + 270)
        incident = first.incident
        ack = first.row

        let second = try #require(fire(ack, incident, at: t0 + 270))
        #expect(second.events[0].payload["threshold"] == "90%")
        #expect(second.row.nextFireAt == t0 + 300)
        incident = second.incident
        ack = second.row

        let breach = try #require(fire(ack, incident, at: t0 + 300))
        #expect(breach.events.map(\.kind) == [.clockBreached])
        #expect(breach.outbox[0].message.plainText.contains("🚨 INC-57 · SEV1 · fraud — Payout redirect · ack target breached, 0s past due"))
        #expect(breach.row.alertsSent == 1 && breach.row.nextFireAt == t0 + 900, "repeat every 10 min while breached")
        incident = breach.incident

        let again = try #require(fire(breach.row, incident, at: t0 + 900))
        #expect(again.outbox[0].message.plainText.contains("ack target still breached, 10 min past due"))
        #expect(again.row.nextFireAt == t0 + 1500)
        #expect(EventChain.verify([opened.events[0], first.events[0], second.events[0], breach.events[0], again.events[0]]))
    }

    @Test func afterDowntimeOnlyTheBreachFiresMarkedLate() throws {
        let opened = try open()
        let ack = row("ack", in: opened.clocks)
        // Vigil was down from before the first warning until 12 minutes after the deadline.
        let firing = try #require(fire(ack, opened.incident, at: t0 + 300 + 720))
        #expect(firing.events.map(\.kind) == [.clockBreached])
        // Late from the deadline the breach stands for, not from the warning it superseded.
        #expect(firing.events[0].payload["late_ms"] == "720000")
        #expect(firing.outbox[0].message.plainText.contains("alert late by 12 min (Vigil was not running)"))
        #expect(firing.outbox[0].message.plainText.contains("1 repeat missed while Vigil was not running; next repeat 22:05 UTC"))
        #expect(firing.row.warningsSent == 2 && firing.row.alertsSent == 1)
    }

    @Test func noRepeatWithoutARepeatInterval() throws {
        let opened = try open("open sev3 fraud Slow one")
        let breach = try #require(fire(row("ack", in: opened.clocks), opened.incident, at: t0 + 4 * 3600))
        #expect(breach.row.nextFireAt == nil)
        #expect(fire(breach.row, breach.incident, at: t0 + 5 * 3600) == nil)
    }

    @Test func stepAndLegalBreachesNameTheStepTheRuleAndTheCommand() throws {
        let playbook = Playbook(
            id: "tco", title: "Removal order", summary: "", appliesTo: IncidentMatch(categories: ["compliance"]),
            legal: LegalClock(rule: "Removal order", citation: "Regulation (EU) 2021/784, Art. 3(3)", due: .seconds(3600)),
            steps: [PlaybookStep(id: "remove", title: "Remove the content", instructions: "Remove it.", owner: "responder", due: .seconds(1800))])
        let context = CommandContext(policy: Self.policy, now: t0, actor: Fixtures.ava, platform: "slack", channel: "ts", catalog: PlaybookCatalog([playbook]))
        let opened = try Lifecycle.planOpen(try parser.parse("open sev1 compliance Order"), context: context).outcome(number: 57)
        let step = try #require(ClockAlerts.fire(row("step:remove", in: opened.clocks), incident: opened.incident, catalog: PlaybookCatalog([playbook]), policy: Self.policy, now: t0 + 1800))
        #expect(step.outbox[0].message.plainText.contains("step “Remove the content” breached"))
        #expect(step.outbox[0].message.plainText.contains("/incident step INC-57"))
        let legal = try #require(ClockAlerts.fire(row("legal", in: opened.clocks), incident: step.incident, catalog: PlaybookCatalog([playbook]), policy: Self.policy, now: t0 + 3600))
        #expect(legal.outbox[0].message.plainText.contains("legal deadline “Removal order (Regulation (EU) 2021/784, Art. 3(3))” breached"))
        #expect(legal.events[0].payload["rule"] == "Removal order (Regulation (EU) 2021/784, Art. 3(3))")
    }

    // MARK: - Commands and clocks

    @Test func ackStopsTheAckClockAndEscalation() throws {
        let opened = try open()
        let acked = try apply("ack 57", opened.incident, clocks: opened.clocks, at: t0 + 120)
        #expect(acked.clocks.map { "\($0.name):\($0.state.rawValue)" } == ["ack:met", "escalation:cancelled"])
        #expect(acked.clocks.allSatisfy { $0.nextFireAt == nil })
        let late = try apply("ack 57", opened.incident, clocks: opened.clocks, at: t0 + 400)
        #expect(late.clocks.first?.state == .missed)
    }

    @Test func resolveStopsEveryRunningClock() throws {
        let opened = try open()
        let resolved = try apply("resolve 57 fixed", opened.incident, clocks: opened.clocks, at: t0 + 1000)
        #expect(Set(resolved.clocks.map { "\($0.name):\($0.state.rawValue)" }) == ["ack:missed", "resolve:met", "escalation:cancelled"])
    }

    @Test func severityChangeRetimesRunningClocksKeepingWhatWasSent() throws {
        let opened = try open("open sev2 fraud Refund abuse")
        var clocks = opened.clocks
        let warned = try #require(fire(row("ack", in: clocks), opened.incident, at: t0 + 1350))
        clocks = clocks.map { $0.name == "ack" ? warned.row : $0 }
        let raised = try apply("sev 57 sev1", warned.incident, clocks: clocks, at: t0 + 1400)
        let ack = row("ack", in: raised.clocks)
        #expect(ack.dueAt == t0 + 300, "sev1's 5 min from known_at: already past")
        #expect(ack.warningsSent == 1)
        #expect(ack.nextFireAt! < t0 + 1400, "the breach fires at once")
        #expect(row("resolve", in: raised.clocks).dueAt == t0 + 4 * 3600)
    }

    @Test func reopenStartsNewClocksFromNow() throws {
        let opened = try open()
        let resolved = try apply("resolve 57 fixed", opened.incident, clocks: opened.clocks, at: t0 + 100)
        let reopened = try apply("reopen 57 came back", resolved.incident, clocks: resolved.clocks, at: t0 + 7200)
        let ack = row("ack", in: reopened.clocks)
        #expect(ack.state == .running && ack.startedAt == t0 + 7200 && ack.dueAt == t0 + 7500)
        #expect(row("escalation", in: reopened.clocks).dueAt == t0 + 7200 + 900)
        #expect(reopened.incident.reopenedAt == t0 + 7200)
        #expect(reopened.incident.cycleStartedAt == t0 + 7200)
    }

    @Test func afterAReopenTimingIsMeasuredFromTheReopen() throws {
        let opened = try open()
        let resolved = try apply("resolve 57 fixed", opened.incident, clocks: opened.clocks, at: t0 + 100)
        let reopened = try apply("reopen 57 came back", resolved.incident, clocks: resolved.clocks, at: t0 + 7200)
        let acked = try apply("ack 57", reopened.incident, clocks: reopened.clocks, at: t0 + 7200 + 120)
        // Two minutes after the reopen, within the 5 minutes: not two hours after known_at.
        #expect(acked.reply.message.plainText.contains("(in 2 min, target 5 min)"))
        #expect(row("ack", in: acked.clocks).state == .met)
        let status = try #require(ServiceTargets.status(of: acked.incident, kind: .ack, policy: Self.policy))
        #expect(status.due == t0 + 7200 + 300)
        // A severity change re-plans the targets from the reopen too.
        let current = reopened.clocks.map { row in acked.clocks.first { $0.name == row.name } ?? row }
        let raised = try apply("sev 57 sev2", acked.incident, clocks: current, at: t0 + 7400)
        #expect(row("resolve", in: raised.clocks).dueAt == t0 + 7200 + 24 * 3600)
    }

    // MARK: - Escalation

    @Test func unacknowledgedIncidentsEscalateAutomaticallyThenRepeatAtTheTop() throws {
        let opened = try open()
        let level2 = try #require(fire(row("escalation", in: opened.clocks), opened.incident, at: t0 + 900))
        #expect(level2.incident.level == 2)
        #expect(level2.events.map(\.kind) == [.escalated])
        #expect(level2.events[0].payload["auto"] == "true")
        #expect(level2.outbox.map(\.channel) == [.oncall, .incidents])
        #expect(level2.outbox[0].message.plainText.contains("INC-57 auto-escalated · SEV1 · fraud — Payout redirect · level 2 (lead) · unacknowledged for 15 min"))
        #expect(level2.outbox[0].message.plainText.contains("Act now: @dee · /incident ack INC-57"))
        #expect(level2.row.dueAt == t0 + 900 + 1800, "level 3 after 30 more minutes")
        let level3 = try #require(fire(level2.row, level2.incident, at: t0 + 2700))
        #expect(level3.incident.level == 3)
        let repeated = try #require(fire(level3.row, level3.incident, at: t0 + 4500))
        #expect(repeated.incident.level == 3)
        #expect(repeated.outbox[0].message.plainText.contains("still unacknowledged at the top level"))
        #expect(repeated.row.state == .met, "the cap of one repeat is reached")
    }

    @Test func escalationDoesNothingOnceAcknowledged() throws {
        let opened = try open()
        let acked = try apply("ack 57", opened.incident, clocks: opened.clocks, at: t0 + 60)
        let firing = try #require(fire(row("escalation", in: opened.clocks), acked.incident, at: t0 + 900))
        #expect(firing.events.isEmpty && firing.outbox.isEmpty)
        #expect(firing.row.state == .cancelled)
    }

    @Test func manualEscalationRearmsFromNow() throws {
        let opened = try open()
        let escalated = try apply("escalate 57", opened.incident, clocks: opened.clocks, at: t0 + 60)
        #expect(row("escalation", in: escalated.clocks).dueAt == t0 + 60 + 1800)
    }

    // MARK: - Views

    @Test func statusShowsEachClock() throws {
        let opened = try open()
        let status = IncidentViews.status(of: opened.incident, events: opened.events, clocks: opened.clocks, outbox: nil, context: context(at: t0 + 400))
        let text = status.message.plainText
        #expect(text.contains("ack 1 min overdue (due 21:45 UTC)"))
        #expect(text.contains("resolve due Nov 29 01:40 UTC (in 3 h 53 min)"))
        #expect(text.contains("next escalation 21:55 UTC if unacknowledged"))
    }
}

/// `summary <id>`: the lead's view of what happened.
@Suite struct SummaryTests {
    @Test func summaryStatesTimingsClockVerdictsAndTheTimeline() throws {
        let tests = try ClockTests()
        let t0 = Fixtures.t0
        var outcome = try tests.open()
        var incident = outcome.incident
        var events = outcome.events
        var clocks = outcome.clocks
        func merge(_ rows: [ClockRow]) { for row in rows { clocks.removeAll { $0.name == row.name }; clocks.append(row) } }
        let breach = try #require(ClockAlerts.fire(clocks.first { $0.name == "ack" }!, incident: incident, catalog: PlaybookCatalog(), policy: ClockTests.policy, now: t0 + 300))
        incident = breach.incident
        events += breach.events
        merge([breach.row])
        outcome = try tests.apply("ack 57", incident, clocks: clocks, at: t0 + 17 * 60)
        incident = outcome.incident
        events += outcome.events
        merge(outcome.clocks)
        outcome = try tests.apply("resolve 57 Payout reverted, account secured", incident, clocks: clocks, at: t0 + 90 * 60)
        events += outcome.events
        merge(outcome.clocks)
        let context = CommandContext(policy: ClockTests.policy, now: t0 + 2 * 3600, actor: Fixtures.ben, platform: "slack", channel: "ts")
        let text = IncidentViews.summary(of: outcome.incident, events: events, clocks: clocks, context: context).message.plainText
        #expect(text.contains("INC-57 · resolved · SEV1 · fraud — Payout redirect"))
        #expect(text.contains("Time to acknowledge 17 min (breached, target 5 min) · Time to resolve 1 h 30 min (met, target 4 h)"))
        #expect(text.contains("ack missed (12 min late) · 1 breach alert"))
        #expect(text.contains("resolve met 23:10 UTC"))
        #expect(text.contains("Resolution: Payout reverted, account secured"))
        #expect(text.contains("21:45 UTC ack breached"))
    }
}
