import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Issue 10, finding 2 ("One command floods on-call"): a clock that missed its moments fires
/// once, says how late and how many repeats it missed, then resumes its schedule after now.
@Suite struct CatchUpTests {
    static let policy = ClockTests.policy
    let parser: CommandParser
    let t0 = Fixtures.t0
    static let day: TimeInterval = 86_400
    /// 0001-01-01 00:00 UTC: the `--known` that flooded without end.
    static let yearOne = Date(timeIntervalSince1970: -62_135_596_800)

    init() throws {
        parser = try CommandParser(specs: Fixtures.shippedSpecs(), policy: Self.policy)
    }

    func open(_ text: String = "open sev1 privacy Leaked export", at now: Date) throws -> Outcome {
        let context = CommandContext(policy: Self.policy, now: now, actor: Fixtures.ava, platform: "slack", channel: "ts")
        return try Lifecycle.planOpen(try parser.parse(text), context: context).outcome(number: 7)
    }

    /// An incident opened at `openedAt` whose team learned of it at `knownAt`, with the clocks it
    /// runs: built directly, since `--known` itself is bounded by the command's own checks.
    func opened(knownAt: Date, openedAt: Date) throws -> (Incident, [ClockRow]) {
        var incident = try open(at: openedAt).incident
        incident.knownAt = knownAt
        var clocks = ClockPlanner.targetClocks(for: incident, policy: Self.policy)
        clocks += [ClockPlanner.categoryLegalClock(for: incident, policy: Self.policy, playbook: nil)].compactMap { $0 }
        clocks += [ClockPlanner.escalationClock(for: incident, policy: Self.policy, reachedAt: openedAt)].compactMap { $0 }
        return (incident, clocks)
    }

    /// What the scheduler does at a frozen `now`: fire every clock due by then, again and again,
    /// until none is due (bounded, so the old flood ends the test instead of hanging it).
    func drain(_ incident: Incident, _ clocks: [ClockRow], at now: Date) -> (incident: Incident, clocks: [ClockRow], alerts: [OutboxItem]) {
        var incident = incident, clocks = clocks, alerts: [OutboxItem] = []
        for _ in 0..<10_000 {
            guard let index = clocks.firstIndex(where: { $0.state == .running && ($0.nextFireAt.map { $0 <= now } ?? false) }),
                  let firing = ClockAlerts.fire(clocks[index], incident: incident, catalog: PlaybookCatalog(), policy: Self.policy, now: now)
            else { break }
            clocks[index] = firing.row
            incident = firing.incident
            alerts += firing.outbox.filter { $0.channel == .oncall }
        }
        return (incident, clocks, alerts)
    }

    func row(_ name: String, _ clocks: [ClockRow]) -> ClockRow { clocks.first { $0.name == name }! }

    @Test func catchUpAfterThirtyDaysOfDowntimeFiresOneAlertPerClock() throws {
        // setup: opened at t0, Vigil down for 30 days.
        let (incident, clocks) = try opened(knownAt: t0, openedAt: t0)
        let now = t0 + 30 * Self.day
        // MUT
        let result = drain(incident, clocks, at: now)
        // validate: ack, resolve, legal and escalation each alert once.
        #expect(result.alerts.count == 4, "\(result.alerts.map(\.message.plainText))")
        let ack = try #require(result.alerts.first { $0.message.plainText.contains("ack target breached") }).message.plainText
        #expect(ack.contains("ack target breached, 29 d 23 h past due"))
        #expect(ack.contains("alert late by 29 d 23 h (Vigil was not running)"))
        // (30 d − 5 min) / 10 min = 4,319.5: 4,319 repeats fell between the breach and now.
        #expect(ack.contains("4,319 repeats missed while Vigil was not running; next repeat"), "\(ack)")
        #expect(!ack.contains("opened"))
        let legal = try #require(result.alerts.first { $0.priority == .legalBreach }).message.plainText
        #expect(legal.contains("legal deadline “GDPR breach notification (GDPR Art. 33)” breached, 27 d past due"))
        // Then the regular schedule, from now: the next repeat is the first slot after now.
        let ackRow = row("ack", result.clocks)
        #expect(ackRow.alertsSent == 1)
        #expect(ackRow.nextFireAt == t0 + 300 + 4320 * 600, "the 4,320th repeat, 5 min after now")
        let later = drain(result.incident, result.clocks, at: ackRow.nextFireAt!)
        #expect(later.alerts.map(\.message.plainText).filter { $0.contains("ack target still breached") }.count == 1)
        #expect(!later.alerts.contains { $0.message.plainText.contains("missed") })
        #expect(row("ack", later.clocks).nextFireAt == ackRow.nextFireAt! + 600)
    }

    @Test func catchUpForAKnownAtThirtyDaysBackSaysOpenedLate() throws {
        // setup: opened now, learned of 30 days ago (`--known` 30 days back).
        let (incident, clocks) = try opened(knownAt: t0 - 30 * Self.day, openedAt: t0)
        // MUT: fired on time, the instant it was opened.
        let result = drain(incident, clocks, at: t0)
        // validate: the three deadline clocks (the escalation runs from the opening) alert once.
        #expect(result.alerts.count == 3, "\(result.alerts.map(\.message.plainText))")
        for alert in result.alerts.map(\.message.plainText) {
            #expect(alert.contains("INC-7 was opened 30 d after the team learned of it; its "), "\(alert)")
            #expect(!alert.contains("not running"), "\(alert)")
        }
        let legal = try #require(result.alerts.first { $0.priority == .legalBreach }).message.plainText
        #expect(legal.contains("its legal deadline “GDPR breach notification (GDPR Art. 33)” was already breached, 27 d past due"))
        let ack = try #require(result.alerts.first { $0.message.plainText.contains("ack target") }).message.plainText
        #expect(ack.contains("4,319 repeats fell before INC-7 was opened"), "\(ack)")
        #expect(result.alerts.map(\.priority).sorted() == [.breach, .breach, .legalBreach])
        #expect(result.incident.level == 1, "the escalation runs from the opening: not due yet")
    }

    @Test func catchUpForAKnownAtInYearOneFiresOnceWithoutOverflow() throws {
        let (incident, clocks) = try opened(knownAt: Self.yearOne, openedAt: t0)
        let result = drain(incident, clocks, at: t0)
        #expect(result.alerts.count == 3)
        let ack = row("ack", result.clocks)
        let next = try #require(ack.nextFireAt)
        #expect(next > t0 && next <= t0 + 600, "resumes within one repeat interval")
        #expect(result.alerts.allSatisfy { $0.message.plainText.contains("INC-7 was opened") })
    }

    @Test func catchUpCollapsesMissedWarningsIntoTheLatest() throws {
        let (incident, clocks) = try opened(knownAt: t0, openedAt: t0)
        // Down past the resolve clock's 50 % and 90 % (2 h, 3 h 36 min) but not its deadline.
        let now = t0 + 3.8 * 3600
        let resolve = row("resolve", clocks)
        let firing = try #require(ClockAlerts.fire(resolve, incident: incident, catalog: PlaybookCatalog(), policy: Self.policy, now: now))
        #expect(firing.events.map(\.kind) == [.clockWarned])
        #expect(firing.events[0].payload["threshold"] == "90%")
        #expect(firing.row.warningsSent == 2)
        #expect(firing.row.nextFireAt == resolve.dueAt, "the breach is next, not the stale 90 % warning")
        #expect(firing.outbox[0].message.plainText.contains("(Vigil was not running)"))
    }

    @Test func catchUpEscalatesOnceToTheLevelThatHoldsNow() throws {
        let (incident, clocks) = try opened(knownAt: t0, openedAt: t0)
        let now = t0 + 30 * Self.day
        let firing = try #require(ClockAlerts.fire(row("escalation", clocks), incident: incident, catalog: PlaybookCatalog(), policy: Self.policy, now: now))
        #expect(firing.events.map(\.kind) == [.escalated])
        #expect(firing.incident.level == 3)
        let text = firing.outbox[0].message.plainText
        #expect(text.contains("INC-7 auto-escalated"))
        #expect(text.contains("level 3 (head)"))
        #expect(text.contains("passed level 2 (lead), whose time came while Vigil was not running"))
        #expect(!text.contains("repeat"), "the one repeat at the top is this alert itself")
        #expect(text.contains("Act now: @head"))
        #expect(firing.events[0].payload["from_level"] == "1")
        #expect(firing.row.state == .met, "the one repeat at the top passed too: nothing follows")
    }

    @Test func catchUpArithmeticAlignsToTheFuture() {
        let due = t0
        #expect(CatchUp.nextRepeat(dueAt: due, every: .seconds(600), after: due) == due + 600)
        #expect(CatchUp.nextRepeat(dueAt: due, every: .seconds(600), after: due + 600) == due + 1200)
        #expect(CatchUp.missedRepeats(dueAt: due, every: .seconds(600), fired: due, now: due + 1199) == 1)
        #expect(CatchUp.missedRepeats(dueAt: Self.yearOne, every: .seconds(1), fired: Self.yearOne, now: t0) > 60_000_000_000)
        #expect(CatchUp.grouped(4331) == "4,331" && CatchUp.grouped(999) == "999" && CatchUp.grouped(1_000_000) == "1,000,000")
    }
}
