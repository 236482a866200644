import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// The evidence-preservation ledger in the core: a completed `preserve:` step records an entry
/// with its release date and a reminder clock; a legal hold keeps everything past its date;
/// every change is an event in the chain; reminders come through the clock machinery.
@Suite struct PreservationTests {
    static let lou = UserRef(id: "U0LOU", name: "lou", platform: "slack")

    static let playbook = Playbook(
        id: "keep", type: "keep-test", title: "Keep the records", summary: "Test", appliesTo: IncidentMatch(categories: ["fraud"]),
        steps: [
            PlaybookStep(
                id: "snapshot", title: "Snapshot the account", instructions: "Snapshot.", owner: "legal",
                requires: [
                    EvidenceField(name: "snapshot_ref", description: "Snapshot reference"),
                    EvidenceField(name: "sha256", description: "Hash of the snapshot"),
                ], preserve: PreservationRule(period: PreservationPeriod(years: 1), what: "account snapshot", law: "Test Act §1")),
            PlaybookStep(
                id: "until", title: "Hold the messages", instructions: "Hold.", owner: "legal",
                requires: [EvidenceField(name: "preserve_until", description: "End of the hold (YYYY-MM-DD)")],
                preserve: PreservationRule(period: PreservationPeriod(days: 90), from: .known)),
        ])

    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.roles.members[.legal] = [Identity(platform: "slack", id: "U0LOU")]
        policy.owners = ["legal": [.user(lou)]]
        return policy
    }()

    let catalog = PlaybookCatalog([playbook])
    let parser: CommandParser

    init() throws {
        parser = CommandParser(specs: try Fixtures.shippedSpecs(), policy: Self.policy, catalog: catalog)
    }

    func context(_ actor: UserRef = lou, at now: Date) -> CommandContext {
        CommandContext(policy: Self.policy, now: now, actor: actor, platform: "slack", channel: "ts", catalog: catalog)
    }

    func apply(_ text: String, to incident: Incident, clocks: [ClockRow] = [], at now: Date, by actor: UserRef = lou) throws -> Outcome {
        try Lifecycle.apply(try parser.parse(text), to: incident, clocks: clocks, context: context(actor, at: now))
    }

    func opening() throws -> Outcome {
        try Lifecycle.planOpen(try parser.parse("open sev2 keep-test Card testing ring"), context: context(Fixtures.ava, at: Fixtures.t0))
            .outcome(number: 7)
    }

    func opened() throws -> Incident { try opening().incident }

    @Test func periodsParseAndAddInTheCalendar() throws {
        #expect(PreservationPeriod(parsing: "1y") == PreservationPeriod(years: 1))
        #expect(PreservationPeriod(parsing: "6mo") == PreservationPeriod(months: 6))
        #expect(PreservationPeriod(parsing: "90d") == PreservationPeriod(days: 90))
        #expect(PreservationPeriod(parsing: "2w") == PreservationPeriod(days: 14))
        #expect(PreservationPeriod(parsing: "1y6mo") == PreservationPeriod(years: 1, months: 6))
        for bad in ["", "0d", "y", "1x", "12345d", "-1y", "1.5y"] { #expect(PreservationPeriod(parsing: bad) == nil, "\(bad)") }
        // A year from 29 February ends on 28 February, as the law counts.
        let leap = try #require(TimeText.parse("2028-02-29 10:00", in: .gmt))
        #expect(PreservationPeriod(years: 1).end(from: leap, in: .gmt) == TimeText.parse("2029-02-28 10:00", in: .gmt))
        #expect(PreservationPeriod(years: 1, months: 6).description == "1 year 6 months")
    }

    @Test func aCompletedPreservingStepRecordsAnEntryAndItsReminder() throws {
        let incident = try opened()
        let done = Fixtures.t0 + 3600
        let outcome = try apply("step 7 done snapshot snapshot_ref=SNAP-88 sha256=ab12", to: incident, at: done)
        let event = try #require(outcome.events.first { $0.kind == .preserved })
        let release = PreservationPeriod(years: 1).end(from: done, in: .gmt)
        #expect(event.payload["what"] == "account snapshot")
        #expect(event.payload["where"] == "snapshot_ref=SNAP-88")
        #expect(event.payload["hash"] == "sha256=ab12")
        #expect(event.payload["law"] == "Test Act §1")
        #expect(event.payload["release_at"] == String(Int64((release.timeIntervalSince1970 * 1000).rounded())))
        // The reminder fires two weeks before the release date.
        let clock = try #require(outcome.clocks.first { $0.kind == .release })
        #expect(clock.dueAt == release)
        #expect(clock.nextFireAt == release - 14 * 86_400)
        #expect(outcome.reply.message.plainText.contains("kept until"))
        // The ledger, folded from the events, holds the entry.
        let entries = PreservationLedger.entries(from: outcome.events)
        #expect(entries.count == 1 && entries[0].releaseAt == release && entries[0].preservedBy == Self.lou && entries[0].hold == nil)
    }

    @Test func aLaterEndTypedByThePersonWinsAnEarlierOneDoesNot() throws {
        let incident = try opened()
        let later = try apply("step 7 done until preserve_until=2031-01-31", to: incident, at: Fixtures.t0 + 60)
        let release = try #require(PreservationLedger.entries(from: later.events).first?.releaseAt)
        #expect(release == TimeText.parse("2031-01-31 23:59", in: .gmt))
        let earlier = try apply("step 7 done until preserve_until=2020-01-01", to: incident, at: Fixtures.t0 + 60)
        // 90 days from when the team learned of it, not the date typed.
        #expect(PreservationLedger.entries(from: earlier.events).first?.releaseAt == incident.knownAt + 90 * 86_400)
    }

    @Test func aLegalHoldKeepsEverythingUntilLiftedAndOnlyLeadOrLegalMayPlaceIt() throws {
        var incident = try opened()
        let snapshot = try apply("step 7 done snapshot snapshot_ref=SNAP-88 sha256=ab12", to: incident, at: Fixtures.t0 + 60)
        incident = snapshot.incident
        #expect(throws: UserError.self) { try apply("hold 7 FBI request", to: incident, at: Fixtures.t0 + 120, by: Fixtures.ava) }
        #expect(throws: UserError.self) { try apply("release 7", to: incident, at: Fixtures.t0 + 120) }
        #expect(throws: UserError.self) { try apply("hold 7", to: incident, at: Fixtures.t0 + 120) }

        let held = try apply("hold 7 FBI request 2026-4471", to: incident, at: Fixtures.t0 + 120)
        #expect(held.incident.legalHold?.reason == "FBI request 2026-4471")
        #expect(held.events.map(\.kind) == [.held])
        #expect(throws: UserError.self) { try apply("hold 7 again", to: held.incident, at: Fixtures.t0 + 180) }
        let entries = PreservationLedger.entries(from: snapshot.events + held.events)
        #expect(entries.first?.hold?.by == Self.lou)
        #expect(entries.first?.isReleasable(at: Fixtures.t0 + 400 * 86_400) == false)

        // The reminder, under the hold, ends silently.
        let clock = try #require(snapshot.clocks.first { $0.kind == .release })
        let reminderAt = try #require(clock.nextFireAt)
        let silent = try #require(ClockAlerts.fire(clock, incident: held.incident, catalog: catalog, policy: Self.policy, now: reminderAt))
        #expect(silent.outbox.isEmpty && silent.row.state != .running)

        // Lifted after the release date: the entry is releasable, and the reply says so.
        let lifted = try apply("release 7 Case closed", to: held.incident, clocks: [silent.row], at: clock.dueAt + 60)
        #expect(lifted.incident.legalHold == nil)
        #expect(lifted.events.map(\.kind) == [.holdReleased])
        #expect(lifted.reply.message.plainText.contains("Now releasable"))
        let after = PreservationLedger.entries(from: snapshot.events + held.events + lifted.events)
        #expect(after.first?.hold == nil && after.first?.isReleasable(at: clock.dueAt + 60) == true)
        // Every change is an event of the one chain.
        #expect(EventChain.verify(try opening().events + snapshot.events + held.events + lifted.events))
    }

    @Test func aReminderReachesLegalAndTheLeadsChannelBeforeTheReleaseDate() throws {
        let incident = try opened()
        let outcome = try apply("step 7 done snapshot snapshot_ref=SNAP-88 sha256=ab12", to: incident, at: Fixtures.t0 + 60)
        let clock = try #require(outcome.clocks.first { $0.kind == .release })
        let firing = try #require(
            ClockAlerts.fire(clock, incident: outcome.incident, catalog: catalog, policy: Self.policy, now: clock.nextFireAt!))
        let post = try #require(firing.outbox.first { $0.channel == .leads })
        #expect(post.message.plainText.contains("may be released"))
        #expect(post.message.plainText.contains("/incident hold INC-7"))
        #expect(firing.row.state == .met && firing.row.nextFireAt == nil)
    }
}
