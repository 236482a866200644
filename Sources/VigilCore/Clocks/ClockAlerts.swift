import Foundation

/// What firing one clock produces: the row re-armed (or finished), the incident's new event, the
/// alert for on-call. The scheduler commits all of it in one transaction.
public struct ClockFiring: Sendable, Equatable {
    public var row: ClockRow
    public var incident: Incident
    public var expectedSequence: Int
    public var events: [IncidentEvent]
    public var outbox: [OutboxItem]
}

/// Composes warnings, breach alerts and automatic escalations from clock rows. Pure.
public enum ClockAlerts {
    /// The author of events Vigil itself records.
    public static let vigil = UserRef(id: "vigil", name: "vigil")

    /// A firing is "late" when it happens this long after it was due (Vigil was down); a running
    /// scheduler fires within a fraction of a second.
    public static let lateThreshold: TimeInterval = 1

    /// Fires `row` at `now`; `nil` when it has nothing to do (not running, nothing scheduled).
    public static func fire(_ row: ClockRow, incident: Incident, playbook: Playbook?, policy: Policy, now: Date) -> ClockFiring? {
        guard row.state == .running, let scheduled = row.nextFireAt else { return nil }
        if row.kind == .escalation { return escalate(row, incident: incident, policy: policy, now: now) }
        var draft = Firing(row: row, incident: incident, policy: policy, now: now, scheduled: scheduled)
        let thresholds = policy.severity(named: incident.severity)?.warn ?? []
        if row.alertsSent == 0, now < row.dueAt, row.warningsSent < thresholds.count {
            draft.warn(threshold: thresholds[row.warningsSent], playbook: playbook)
        } else {
            // A warning whose moment passed while the deadline passed too is noise: the breach says it all.
            draft.breach(playbook: playbook)
        }
        return draft.result
    }

    /// The people who must act now: the owner and whoever the incident's level notifies (an
    /// on-call schedule's current person, or named users).
    public static func actNow(_ incident: Incident, policy: Policy, now: Date) -> [UserRef] {
        var people: [UserRef] = incident.owner.map { [$0] } ?? []
        let levels = policy.escalationLevels
        let level = levels.indices.contains(incident.level - 1) ? levels[incident.level - 1] : levels.last
        for target in level?.notify ?? [] {
            let person: UserRef?
            switch target {
            case let .user(user): person = user
            case let .schedule(name): person = policy.schedule(named: name)?.shift(at: now)?.person
            }
            if let person, !people.contains(where: { $0.isSamePerson(as: person) }) { people.append(person) }
        }
        return people
    }

    static func escalate(_ row: ClockRow, incident: Incident, policy: Policy, now: Date) -> ClockFiring {
        var incident = incident
        let expected = incident.lastSequence
        guard incident.state == .open else {
            // Acknowledged or resolved meanwhile: nothing to escalate.
            return ClockFiring(row: ClockPlanner.cancel(kinds: [.escalation], in: [row], at: now).first ?? row,
                               incident: incident, expectedSequence: expected, events: [], outbox: [])
        }
        let text = IncidentText(policy: policy, now: now)
        let waited = DurationText.format(now.duration(since: row.startedAt))
        let atTop = incident.level >= policy.escalationLevels.count
        var repeats = row.alertsSent
        if atTop { repeats += 1 } else { incident.level += 1 }
        let event = EventChain.append(
            .escalated, by: vigil, at: now,
            payload: ["level": String(incident.level), "auto": "true", "reason": "unacknowledged for \(waited)"], to: &incident)
        var line = text.headline(incident, atTop ? "still unacknowledged at the top level" : "auto-escalated")
        line.append(.text(" · level \(incident.level) (\(policy.levelName(incident.level))) · unacknowledged for \(waited)"))
        let message = Message(lines: [line, actLine(incident, policy: policy, now: now, command: "/incident ack \(text.id(incident))")])
        let next = ClockPlanner.escalationClock(for: incident, policy: policy, reachedAt: now, repeatsDone: atTop ? repeats : 0)
        var finished = row
        finished.state = .met
        finished.stoppedAt = now
        finished.nextFireAt = nil
        return ClockFiring(
            row: next ?? finished, incident: incident, expectedSequence: expected, events: [event],
            outbox: [OutboxItem(channel: .oncall, incident: incident.number, message: message),
                     OutboxItem(channel: .incidents, incident: incident.number, message: Message(lines: [line]))])
    }

    /// `On call: @ava @dee · act: /incident ack INC-42`.
    static func actLine(_ incident: Incident, policy: Policy, now: Date, command: String) -> [Span] {
        let people = actNow(incident, policy: policy, now: now)
        var line: [Span] = [.text(people.isEmpty ? "Nobody is on call for this level" : "Act now: ")]
        for (index, person) in people.enumerated() {
            if index > 0 { line.append(.text(" ")) }
            line.append(.mention(person))
        }
        line += [.text(" · "), .code(command)]
        return line
    }
}

/// One warning or breach alert being composed.
private struct Firing {
    var row: ClockRow
    var incident: Incident
    let policy: Policy
    let now: Date
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
    func label(_ playbook: Playbook?) -> String {
        switch row.kind {
        case .ack: return "ack target"
        case .resolve: return "resolve target"
        case .legal: return "legal deadline “\(row.rule ?? "legal")”"
        case .step:
            let stepID = String(row.name.dropFirst("step:".count))
            return "step “\(playbook?.steps.first { $0.id == stepID }?.title ?? stepID)”"
        case .escalation: return "escalation"
        }
    }

    /// The exact command that makes the alert go away.
    func command(_ playbook: Playbook?) -> String {
        switch row.kind {
        case .ack, .escalation: return "/incident ack \(id)"
        case .resolve: return "/incident resolve \(id) <resolution…>"
        case .step, .legal: return "/incident step \(id)"
        }
    }

    /// ` · alert late by 12 min (Vigil was not running)` after downtime.
    var lateness: (text: String, ms: Int64?) {
        let late = now.timeIntervalSince(scheduled)
        guard late > ClockAlerts.lateThreshold else { return ("", nil) }
        return (" · alert late by \(DurationText.format(now.duration(since: scheduled))) (Vigil was not running)", Int64((late * 1000).rounded()))
    }

    mutating func warn(threshold: Double, playbook: Playbook?) {
        let left = DurationText.format(row.dueAt.duration(since: now))
        var line: [Span] = [.text("⚠ ")] + text.tag(incident)
        line.append(.text(" · \(label(playbook)) due in \(left) (\(text.time(row.dueAt)))" + lateness.text))
        var payload = ["clock": row.name, "kind": row.kind.rawValue, "threshold": "\(Int((threshold * 100).rounded()))%",
                       "due_at": String(Int64((row.dueAt.timeIntervalSince1970 * 1000).rounded()))]
        if let ms = lateness.ms { payload["late_ms"] = String(ms) }
        events.append(EventChain.append(.clockWarned, by: ClockAlerts.vigil, at: now, payload: payload, to: &incident))
        row.warningsSent += 1
        row = ClockPlanner.schedule(row, policy: policy, incident: incident)
        post(line, playbook: playbook)
    }

    mutating func breach(playbook: Playbook?) {
        let over = DurationText.format(now.duration(since: row.dueAt))
        let repeatNote = row.alertsSent > 0 ? "still breached" : "breached"
        var line: [Span] = [.text("🚨 ")] + text.tag(incident)
        line.append(.text(" · \(label(playbook)) \(repeatNote), \(over) past due (\(text.time(row.dueAt)))" + lateness.text))
        var payload = ["clock": row.name, "kind": row.kind.rawValue, "alert": String(row.alertsSent + 1),
                       "due_at": String(Int64((row.dueAt.timeIntervalSince1970 * 1000).rounded()))]
        if let ms = lateness.ms { payload["late_ms"] = String(ms) }
        if let rule = row.rule { payload["rule"] = rule }
        events.append(EventChain.append(.clockBreached, by: ClockAlerts.vigil, at: now, payload: payload, to: &incident))
        row.warningsSent = max(row.warningsSent, policy.severity(named: incident.severity)?.warn.count ?? 0)
        row.alertsSent += 1
        row = ClockPlanner.schedule(row, policy: policy, incident: incident)
        post(line, playbook: playbook)
    }

    mutating func post(_ line: [Span], playbook: Playbook?) {
        let message = Message(lines: [line, ClockAlerts.actLine(incident, policy: policy, now: now, command: command(playbook))])
        outbox.append(OutboxItem(channel: .oncall, incident: incident.number, message: message))
    }
}
