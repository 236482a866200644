import Foundation

/// One warning or breach alert being composed from a clock row that came due.
///
/// However many of the clock's moments passed unseen (Vigil was down, or the incident was opened
/// after its deadline), it composes one alert: the latest warning that applies, or the breach,
/// saying how late it is and how many repeats it stands for; the row is then re-armed for the
/// first regular moment after `now`.
struct AlertDraft {
    var row: ClockRow
    var incident: Incident
    let policy: Policy
    let now: Date
    /// The moment the scheduler fired the row for (its `nextFireAt`).
    let scheduled: Date
    var events: [IncidentEvent] = []
    var outbox: [OutboxItem] = []
    let expectedSequence: Int

    init(row: ClockRow, incident: Incident, policy: Policy, now: Date, scheduled: Date) {
        self.row = row
        self.incident = incident
        self.policy = policy
        self.now = now
        self.scheduled = scheduled
        expectedSequence = incident.lastSequence
    }

    var text: IncidentText { IncidentText(policy: policy, now: now) }
    var id: String { text.id(incident) }

    var result: ClockFiring {
        ClockFiring(row: row, incident: incident, expectedSequence: expectedSequence, events: events, outbox: outbox)
    }

    /// How the clock is named in alerts.
    func label(_ playbooks: [PlaybookProgress]) -> String {
        switch row.kind {
        case .ack: return "ack target"
        case .resolve: return "resolve target"
        case .legal: return "legal deadline “\(row.rule ?? "legal")”"
        case .step:
            let stepID = String(row.name.dropFirst("step:".count))
            return "step “\(playbooks.step(forClock: row)?.step.title ?? stepID)”"
        case .escalation: return "escalation"
        case .reminder: return "reminder"
        case .release: return "preservation release reminder"
        }
    }

    /// The exact command that makes the alert go away: for a step (or the step that meets a
    /// legal clock), `done` naming it.
    func command(_ playbooks: [PlaybookProgress]) -> String {
        switch row.kind {
        case .ack, .escalation: return "/incident ack \(id)"
        case .release: return "/incident holds due 30d"
        case .resolve: return "/incident resolve \(id) <resolution…>"
        case .step, .legal, .reminder:
            guard let (progress, step) = playbooks.step(forClock: row) else { return "/incident step \(id)" }
            return "/incident step \(id) done \(progress.reference(step))\(StepText.fieldHint(step))"
        }
    }

    func catchUp(due: Date) -> CatchUp {
        CatchUp(due: due, openedAt: incident.openedAt, knownAt: incident.knownAt, now: now)
    }

    func milliseconds(_ date: Date) -> String {
        String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// Warns once, for the latest threshold whose moment has passed: earlier ones that passed
    /// unseen are stale, and sending each would be a burst.
    mutating func warn(thresholds: [Double], playbooks: [PlaybookProgress]) {
        let span = row.dueAt.timeIntervalSince(row.startedAt)
        var index = row.warningsSent
        while index + 1 < thresholds.count, row.startedAt.addingTimeInterval(span * thresholds[index + 1]) <= now {
            index += 1
        }
        let threshold = thresholds[index]
        let late = catchUp(due: row.startedAt.addingTimeInterval(span * threshold))
        let left = DurationText.format(row.dueAt.duration(since: now))
        var line: [Span] = [.text("⚠ ")] + text.tag(incident)
        if late.openedLate {
            line.append(.text(" · " + late.openedLateText(id: id) + "\(label(playbooks)) is due in \(left) (\(text.time(row.dueAt)))"))
        } else {
            line.append(.text(" · \(label(playbooks)) due in \(left) (\(text.time(row.dueAt)))"))
        }
        line.append(.text(late.vigilLateText))
        var payload = [
            "clock": row.name, "kind": row.kind.rawValue, "threshold": "\(Int((threshold * 100).rounded()))%",
            "due_at": milliseconds(row.dueAt),
        ]
        record(late, in: &payload)
        events.append(EventChain.append(.clockWarned, by: ClockAlerts.vigil, at: now, payload: payload, to: &incident))
        row.warningsSent = index + 1
        row = ClockPlanner.schedule(row, policy: policy, incident: incident, after: now)
        post(line, playbooks: playbooks, priority: .warning)
    }

    /// The breach, or a repeat of it; after a gap, one alert for every moment missed.
    mutating func breach(playbooks: [PlaybookProgress]) {
        let first = row.alertsSent == 0
        // The moment this alert stands for: the deadline for the first, else the repeat slot.
        let moment = first ? row.dueAt : max(scheduled, row.dueAt)
        let late = catchUp(due: moment)
        let over = DurationText.format(now.duration(since: row.dueAt))
        let due = text.time(row.dueAt)
        var line: [Span] = [.text("🚨 ")] + text.tag(incident)
        if first, late.openedLate {
            line.append(.text(" · " + late.openedLateText(id: id) + "\(label(playbooks)) was already breached, \(over) past due (\(due))"))
        } else {
            line.append(.text(" · \(label(playbooks)) \(first ? "breached" : "still breached"), \(over) past due (\(due))"))
        }
        line.append(.text(late.vigilLateText))

        let interval = policy.severity(named: incident.severity)?.repeat
        let missed = interval.map { CatchUp.missedRepeats(dueAt: row.dueAt, every: $0, fired: moment, now: now) } ?? 0
        var payload = [
            "clock": row.name, "kind": row.kind.rawValue, "alert": String(row.alertsSent + 1), "due_at": milliseconds(row.dueAt),
        ]
        record(late, in: &payload)
        if missed > 0 { payload["missed_repeats"] = String(missed) }
        if let rule = row.rule { payload["rule"] = rule }
        events.append(EventChain.append(.clockBreached, by: ClockAlerts.vigil, at: now, payload: payload, to: &incident))
        row.warningsSent = max(row.warningsSent, policy.severity(named: incident.severity)?.warn.count ?? 0)
        row.alertsSent += 1
        row = ClockPlanner.schedule(row, policy: policy, incident: incident, after: now)
        if missed > 0, let interval {
            line.append(.text(" · " + missedText(missed, interval: interval, moment: moment, late: late)))
        }
        post(line, playbooks: playbooks, priority: row.kind == .legal ? .legalBreach : .breach)
    }

    /// `4,331 repeats missed while Vigil was not running; next repeat 22:10 UTC`, or, for
    /// repeats whose moments came before the incident existed, `… fell before INC-7 was opened`.
    func missedText(_ missed: Int, interval: Duration, moment: Date, late: CatchUp) -> String {
        var beforeOpening = 0
        if late.openedLate {
            // Fired on time after the opening: every missed moment came before the incident existed.
            beforeOpening =
                late.vigilWasLate
                ? min(missed, CatchUp.missedRepeats(dueAt: row.dueAt, every: interval, fired: moment, now: min(incident.openedAt, now)))
                : missed
        }
        let whileDown = missed - beforeOpening
        var parts: [String] = []
        if beforeOpening > 0 { parts.append("\(CatchUp.count(beforeOpening, "repeat")) fell before \(id) was opened") }
        if whileDown > 0 {
            let verb = parts.isEmpty ? "\(CatchUp.count(whileDown, "repeat")) missed" : "\(CatchUp.grouped(whileDown)) missed"
            parts.append("\(verb) while Vigil was not running")
        }
        var sentence = parts.joined(separator: " and ")
        if let next = row.nextFireAt { sentence += "; next repeat \(text.time(next))" }
        return sentence
    }

    /// Records on the event why the alert was late: `late_ms` (Vigil's own delay) and
    /// `opened_late_ms` (how long after the team learned of it the incident was opened).
    func record(_ late: CatchUp, in payload: inout [String: String]) {
        if let ms = late.lateMilliseconds { payload["late_ms"] = String(ms) }
        if late.openedLate {
            payload["opened_late_ms"] = String(Int64((min(late.openedAt.timeIntervalSince(late.knownAt), 9e12) * 1000).rounded()))
        }
    }

    mutating func post(_ line: [Span], playbooks: [PlaybookProgress], priority: OutboxPriority) {
        var lines = [line, ClockAlerts.actLine(incident, policy: policy, now: now, command: command(playbooks))]
        var actions = IncidentActions.lifecycle(incident, policy: policy)
        // A step's alert (and a legal clock's, through the step that meets it) also goes to the
        // people who own that step, and carries that step's buttons: its reference is already
        // the alert's command, so they reveal nothing more, restricted or not.
        if let (progress, step) = playbooks.step(forClock: row) {
            lines.append([.text("Step ")] + StepOwners(policy: policy, now: now).spans(step.owner, for: incident))
            let reference = progress.reference(step)
            actions.append(MessageAction(name: "step-done", label: "Step done", command: "step \(id) done \(reference)", style: .primary))
            actions.append(MessageAction(name: "step-show", label: "Show step", command: "step \(id) show \(reference)"))
        }
        let message = Message(lines: lines, actions: actions)
        outbox.append(OutboxItem(channel: .oncall, incident: incident.number, message: message, priority: priority))
        page(message, playbooks: playbooks, priority: priority)
    }

    /// Pages the people the alert concerns: every warning, and a breach's first alert (its
    /// repeats stay in the channel; the escalation clock keeps paging upward). They are whoever
    /// must act now, and a step's owners for a step's or legal clock's alert. A breach of the
    /// ack target or a legal deadline also triggers PagerDuty at the incident's level.
    mutating func page(_ message: Message, playbooks: [PlaybookProgress], priority: OutboxPriority) {
        let isBreach = priority == .breach || priority == .legalBreach
        guard !isBreach || row.alertsSent == 1 else { return }
        var people = ClockAlerts.actNow(incident, policy: policy, now: now)
        if let (_, step) = playbooks.step(forClock: row) {
            for owner in StepOwners(policy: policy, now: now).people(step.owner, for: incident)
            where !people.contains(where: { $0.isSamePerson(as: owner) }) {
                people.append(owner)
            }
        }
        let endsWithAck = row.kind == .ack
        outbox += Paging.pages(
            to: people, about: incident, message: message, priority: priority, urgency: isBreach ? .urgent : .notice,
            endsWithAck: endsWithAck, policy: policy)
        if isBreach, row.kind == .ack || row.kind == .legal {
            outbox += Paging.pagerDuty(
                .trigger, levels: incident.level...incident.level, about: incident, message: message, policy: policy,
                endsWithAck: endsWithAck)
        }
    }
}
