import Foundation
import VigilCore
import VigilStore

/// A UTC time in 2026.
func utc(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .gmt
    return calendar.date(from: DateComponents(year: 2026, month: month, day: day, hour: hour, minute: minute))!
}

/// One incident of the report fixture, as it stands at the end, with its clocks and escalations.
struct ReportFixtureIncident {
    var number: Int
    var severity: String
    var category: String
    var title: String? = nil
    var restricted = false
    var known: Date
    var opened: Date? = nil
    var acknowledged: Date? = nil
    var resolved: Date? = nil
    var reopened: Date? = nil
    var clocks: [ClockRow] = []
    var escalations: [Date] = []

    /// The unit of work that stores it: its final state, an `opened` event, and one `escalated`
    /// event per escalation.
    var work: UnitOfWork {
        var incident = Incident(
            number: number, title: title ?? "Incident \(number)", severity: severity, category: category,
            state: resolved != nil ? .resolved : acknowledged != nil ? .acknowledged : .open, owner: acknowledged.map { _ in ben },
            reporter: ava, platform: "slack", channel: "ts-incidents", openedAt: opened ?? known, knownAt: known,
            acknowledgedAt: acknowledged, acknowledgedBy: acknowledged.map { _ in ben }, resolvedAt: resolved,
            resolvedBy: resolved.map { _ in ben }, resolution: resolved.map { _ in "done" }, restricted: restricted, reopenedAt: reopened)
        var events = [EventChain.append(.opened, by: ava, at: opened ?? known, to: &incident)]
        for time in escalations { events.append(EventChain.append(.escalated, by: ava, at: time, to: &incident)) }
        return UnitOfWork(
            requestID: nil, reply: Reply.ephemeral(""), incident: incident, expectedSequence: 0, events: events, outbox: [], clocks: clocks)
    }
}

/// A deadline clock row.
func deadline(
    _ incident: Int, _ name: String, _ kind: ClockKind, started: Date, due: Date, _ state: ClockState, stopped: Date? = nil,
    rule: String? = nil, alerts: Int = 0
) -> ClockRow {
    ClockRow(incident: incident, name: name, kind: kind, startedAt: started, dueAt: due, state: state, rule: rule, stoppedAt: stopped, alertsSent: alerts)
}

let ncmecRule = "NCMEC CyberTipline report (18 U.S.C. §2258A(a))"

/// The report fixture: the week 2026-11-01..2026-11-07 (UTC) and incidents in, before, across
/// and after it. Every expected figure in `ReportFactsTests` is worked out by hand from this
/// list; the comments say what each incident contributes.
let reportFixture: [ReportFixtureIncident] = [
    // #1 sev1 fraud, inside: TTA 4 min, TTR 2 h; ack, resolve and one step met.
    ReportFixtureIncident(
        number: 1, severity: "sev1", category: "fraud", known: utc(11, 1, 1), acknowledged: utc(11, 1, 1, 4), resolved: utc(11, 1, 3),
        clocks: [
            deadline(1, "ack", .ack, started: utc(11, 1, 1), due: utc(11, 1, 1, 5), .met, stopped: utc(11, 1, 1, 4)),
            deadline(1, "resolve", .resolve, started: utc(11, 1, 1), due: utc(11, 1, 5), .met, stopped: utc(11, 1, 3)),
            deadline(1, "step:freeze-payouts", .step, started: utc(11, 1, 1), due: utc(11, 1, 2), .met, stopped: utc(11, 1, 1, 30)),
            deadline(1, "escalation", .escalation, started: utc(11, 1, 1), due: utc(11, 1, 1, 10), .cancelled, stopped: utc(11, 1, 1, 4)),
        ]),
    // #2 sev1 fraud, known 10 min before it was opened: TTA 20 min, TTR 6 h from `known`; ack
    // and resolve breached; escalated twice.
    ReportFixtureIncident(
        number: 2, severity: "sev1", category: "fraud", title: "Payout fraud, \"urgent\"", known: utc(11, 2, 10), opened: utc(11, 2, 10, 10),
        acknowledged: utc(11, 2, 10, 20), resolved: utc(11, 2, 16),
        clocks: [
            deadline(2, "ack", .ack, started: utc(11, 2, 10), due: utc(11, 2, 10, 5), .missed, stopped: utc(11, 2, 10, 20), alerts: 2),
            deadline(2, "resolve", .resolve, started: utc(11, 2, 10), due: utc(11, 2, 14), .missed, stopped: utc(11, 2, 16), alerts: 1),
        ],
        escalations: [utc(11, 2, 10, 15), utc(11, 2, 10, 18)]),
    // #3 sev2 moderation, still open: TTA 10 min; ack met; resolve still running past its
    // deadline (breached); a cancelled step; escalated once.
    ReportFixtureIncident(
        number: 3, severity: "sev2", category: "moderation", known: utc(11, 3, 9), acknowledged: utc(11, 3, 9, 10),
        clocks: [
            deadline(3, "ack", .ack, started: utc(11, 3, 9), due: utc(11, 3, 9, 30), .met, stopped: utc(11, 3, 9, 10)),
            deadline(3, "resolve", .resolve, started: utc(11, 3, 9), due: utc(11, 4, 9), .running, alerts: 3),
            deadline(3, "step:takedown", .step, started: utc(11, 3, 9), due: utc(11, 3, 11), .cancelled, stopped: utc(11, 3, 10)),
        ],
        escalations: [utc(11, 3, 9, 5)]),
    // #4 sev2 child-safety, restricted: TTA 40 min (ack breached), TTR 24 h (resolve met at its
    // deadline exactly); legal clock met.
    ReportFixtureIncident(
        number: 4, severity: "sev2", category: "child-safety", title: "Secret title", restricted: true, known: utc(11, 5, 12),
        acknowledged: utc(11, 5, 12, 40), resolved: utc(11, 6, 12),
        clocks: [
            deadline(4, "ack", .ack, started: utc(11, 5, 12), due: utc(11, 5, 12, 30), .missed, stopped: utc(11, 5, 12, 40), alerts: 1),
            deadline(4, "resolve", .resolve, started: utc(11, 5, 12), due: utc(11, 6, 12), .met, stopped: utc(11, 6, 12)),
            deadline(4, "legal", .legal, started: utc(11, 5, 12), due: utc(11, 6, 12), .met, stopped: utc(11, 5, 20), rule: ncmecRule),
        ]),
    // #5 sev3 fraud, opened and acknowledged before the week, resolved inside it: TTR 48 h;
    // only its resolve clock is decided inside (met).
    ReportFixtureIncident(
        number: 5, severity: "sev3", category: "fraud", known: utc(10, 30, 10), acknowledged: utc(10, 30, 11), resolved: utc(11, 1, 10),
        clocks: [
            deadline(5, "ack", .ack, started: utc(10, 30, 10), due: utc(10, 30, 14), .met, stopped: utc(10, 30, 11)),
            deadline(5, "resolve", .resolve, started: utc(10, 30, 10), due: utc(11, 2, 10), .met, stopped: utc(11, 1, 10)),
        ]),
    // #6 sev3 moderation, opened 4 h before the week ends, unacknowledged: its ack deadline is
    // the very end of the week, so nothing of it is decided.
    ReportFixtureIncident(
        number: 6, severity: "sev3", category: "moderation", known: utc(11, 7, 20),
        clocks: [
            deadline(6, "ack", .ack, started: utc(11, 7, 20), due: utc(11, 8, 0), .running),
            deadline(6, "resolve", .resolve, started: utc(11, 7, 20), due: utc(11, 10, 20), .running),
        ]),
    // #7 sev2 fraud, resolved without an acknowledgement: TTA = TTR = 30 min; both met at
    // their deadline or before.
    ReportFixtureIncident(
        number: 7, severity: "sev2", category: "fraud", known: utc(11, 6, 8), resolved: utc(11, 6, 8, 30),
        clocks: [
            deadline(7, "ack", .ack, started: utc(11, 6, 8), due: utc(11, 6, 8, 30), .met, stopped: utc(11, 6, 8, 30)),
            deadline(7, "resolve", .resolve, started: utc(11, 6, 8), due: utc(11, 7, 8), .met, stopped: utc(11, 6, 8, 30)),
        ]),
    // #8 after the week: nothing.
    ReportFixtureIncident(
        number: 8, severity: "sev1", category: "fraud", known: utc(11, 9, 0),
        clocks: [deadline(8, "ack", .ack, started: utc(11, 9, 0), due: utc(11, 9, 0, 5), .running)]),
    // #9 sev2 fraud, opened long before and still open (backlog, 7–30 days old); its breach and
    // escalation were before the week.
    ReportFixtureIncident(
        number: 9, severity: "sev2", category: "fraud", known: utc(10, 20, 10), acknowledged: utc(10, 20, 10, 10),
        clocks: [
            deadline(9, "ack", .ack, started: utc(10, 20, 10), due: utc(10, 20, 10, 30), .met, stopped: utc(10, 20, 10, 10)),
            deadline(9, "resolve", .resolve, started: utc(10, 20, 10), due: utc(10, 21, 10), .running, alerts: 9),
        ],
        escalations: [utc(10, 20, 10, 5)]),
]

/// More incidents, made by rule, for comparing the two stores' facts (not worked out by hand):
/// clusters of eight incidents of one class resolved at the same instant from different cycle
/// starts (some reopened, some never acknowledged, some acknowledged at one shared instant), so
/// that the order of the duration arrays is tested and not only their sorted values; deadlines
/// met, missed and running that fall due together; legal rules; escalations; and classes whose
/// byte order is not their alphabetical order in most locales (`Spam`, `überprüfung`).
/// Numbers from 100 on, beside ``reportFixture``.
let reportCrowd: [ReportFixtureIncident] = (0..<96).map { index in
    let cluster = index / 8, member = index % 8
    let number = 100 + index
    let severity = ["sev1", "sev2", "sev3"][cluster % 3]
    let category = ["fraud", "Spam", "überprüfung", "moderation"][cluster % 4]
    // Clusters resolve at noon from Oct 27 to Nov 8, one in five never.
    let resolvedAt = utc(10, 27, 12).addingTimeInterval(Double(cluster) * 86_400)
    let resolved = cluster % 5 == 4 ? nil : resolvedAt
    let hoursBefore: [Double] = [5, 2, 9, 2, 30, 5, 1, 48]
    let known = resolvedAt.addingTimeInterval(-hoursBefore[member] * 3600)
    // Member 3 was known when member 1 was, but reopened an hour before its resolution.
    let reopened = member == 3 ? resolvedAt.addingTimeInterval(-3600) : nil
    // Even members acknowledged at one instant, odd ones never.
    let acknowledged = member % 2 == 0 ? resolvedAt.addingTimeInterval(-45 * 60) : nil
    let cycle = reopened ?? known
    func decided(_ name: String, _ kind: ClockKind, due: Date, by stop: Date?, rule: String? = nil) -> ClockRow {
        guard let stop else { return deadline(number, name, kind, started: cycle, due: due, .running, rule: rule, alerts: member % 3) }
        return deadline(number, name, kind, started: cycle, due: due, stop <= due ? .met : .missed, stopped: stop, rule: rule, alerts: member % 2)
    }
    var clocks = [
        decided("ack", .ack, due: cycle.addingTimeInterval(1800), by: acknowledged ?? resolved),
        decided("resolve", .resolve, due: cycle.addingTimeInterval(86_400), by: resolved),
        // Due with the ack deadline: breaches tie on their deadline and incident.
        decided("step:contain", .step, due: cycle.addingTimeInterval(1800), by: member % 2 == 0 ? cycle.addingTimeInterval(600) : resolved),
        deadline(number, "escalation", .escalation, started: cycle, due: cycle.addingTimeInterval(600), .cancelled, stopped: cycle),
    ]
    if member == 7 || member == 4 {
        let rule = ["Rule B", "Rule A", "règle C"][cluster % 3]
        clocks.append(decided("legal", .legal, due: cycle.addingTimeInterval(2 * 86_400), by: resolved, rule: rule))
    }
    return ReportFixtureIncident(
        number: number, severity: severity, category: category, title: "Crowd \(number)", restricted: member == 5, known: known,
        opened: member == 6 ? known.addingTimeInterval(600) : nil, acknowledged: acknowledged, resolved: resolved, reopened: reopened,
        clocks: clocks, escalations: member % 4 == 0 ? [cycle.addingTimeInterval(300)] : [])
}
