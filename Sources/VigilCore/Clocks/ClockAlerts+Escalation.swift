import Foundation

// MARK: - Automatic escalation

/// An escalation clock that missed several of its moments (Vigil was down longer than a level's
/// `after`) fires once: it moves the incident straight to the level that should hold now and
/// notifies that level's people, saying which levels it passed and how late it is. The levels in
/// between are not paged one after another: they would all arrive at once, and the people who
/// must act now are the ones at the level the policy has reached. The next escalation is then
/// due when it would have been had Vigil been running, which is after now.
extension ClockAlerts {
    static func escalate(_ row: ClockRow, incident: Incident, policy: Policy, now: Date) -> ClockFiring {
        var incident = incident
        let expected = incident.lastSequence
        guard incident.state == .open else {
            // Acknowledged or resolved meanwhile: nothing to escalate.
            return ClockFiring(
                row: ClockPlanner.cancel(kinds: [.escalation], in: [row], at: now).first ?? row,
                incident: incident, expectedSequence: expected, events: [], outbox: [])
        }
        let walk = EscalationWalk(from: row, incident: incident, policy: policy, now: now)
        let text = IncidentText(policy: policy, now: now)
        let waited = DurationText.format(now.duration(since: row.startedAt))
        let raised = walk.level > incident.level
        incident.level = walk.level
        let late = CatchUp(due: row.dueAt, openedAt: incident.openedAt, knownAt: incident.knownAt, now: now)

        var payload = ["level": String(incident.level), "auto": "true", "reason": "unacknowledged for \(waited)"]
        if let ms = late.lateMilliseconds { payload["late_ms"] = String(ms) }
        if !walk.skippedLevels.isEmpty {
            payload["from_level"] = String(walk.fromLevel)
            payload["levels_skipped"] = String(walk.skippedLevels.count)
        }
        if walk.missedRepeats > 0 { payload["missed_repeats"] = String(walk.missedRepeats) }
        let event = EventChain.append(.escalated, by: vigil, at: now, payload: payload, to: &incident)

        var line = text.headline(incident, raised ? "auto-escalated" : "still unacknowledged at the top level")
        var detail = " · level \(incident.level) (\(policy.levelName(incident.level))) · unacknowledged for \(waited)" + late.vigilLateText
        if !walk.skippedLevels.isEmpty {
            let names = walk.skippedLevels.map { "\($0) (\(policy.levelName($0)))" }.joined(separator: ", ")
            let noun = walk.skippedLevels.count == 1 ? "level" : "levels"
            detail += " · passed \(noun) \(names), whose time came while Vigil was not running"
        }
        if walk.missedRepeats > 0 {
            detail += " · \(CatchUp.count(walk.missedRepeats, "top-level repeat")) missed while Vigil was not running"
        }
        line.append(.text(detail))
        let buttons = IncidentActions.lifecycle(incident, policy: policy)
        let message = Message(
            lines: [line, actLine(incident, policy: policy, now: now, command: "/incident ack \(text.id(incident))")], actions: buttons)
        var finished = row
        finished.state = .met
        finished.stoppedAt = now
        finished.nextFireAt = nil
        // The level's people are paged directly, and PagerDuty at that level's key: a post in a
        // channel at 3 a.m. wakes nobody.
        let pages =
            Paging.pages(
                to: actNow(incident, policy: policy, now: now), about: incident, message: message, priority: .escalation, urgency: .urgent,
                endsWithAck: true, policy: policy)
            + Paging.pagerDuty(
                .trigger, levels: incident.level...incident.level, about: incident, message: message, policy: policy, endsWithAck: true)
        return ClockFiring(
            row: walk.next ?? finished, incident: incident, expectedSequence: expected, events: [event],
            outbox: [
                OutboxItem(channel: .oncall, incident: incident.number, message: message, priority: .escalation),
                OutboxItem(
                    channel: .incidents, incident: incident.number, message: Message(lines: [line], actions: buttons), priority: .escalation
                ),
            ] + pages)
    }
}

/// The escalation steps one firing covers: its own, then each further one whose moment also
/// passed before `now`. Bounded by the levels and `escalation_repeats` (and a hard cap, for a
/// policy built in code with absurd values).
struct EscalationWalk {
    let fromLevel: Int
    /// The level that should hold now.
    var level: Int
    /// Levels reached and passed within this firing (not the final one).
    var skippedLevels: [Int] = []
    /// Top-level repeats whose moments passed, other than the one this firing sends.
    var missedRepeats = 0
    /// The escalation clock to keep: its moment is after `now`; `nil` when nothing follows.
    var next: ClockRow?

    init(from row: ClockRow, incident: Incident, policy: Policy, now: Date) {
        fromLevel = incident.level
        level = incident.level
        let top = policy.escalationLevels.count
        var repeats = row.alertsSent
        var reachedAt = row.dueAt
        var probe = incident
        // Each step: a level reached, or `nil` for a repeat at the top. The last is this alert.
        var steps: [Int?] = []
        while true {
            if level < top {
                level += 1
                steps.append(level)
            } else {
                repeats += 1
                steps.append(nil)
            }
            probe.level = level
            next = ClockPlanner.escalationClock(for: probe, policy: policy, reachedAt: reachedAt, repeatsDone: repeats)
            // Stop at the first moment still ahead; its clock is the one to keep.
            guard let upcoming = next, upcoming.dueAt <= now, steps.count < 10_000 else { break }
            reachedAt = upcoming.dueAt
        }
        for step in steps.dropLast() {
            if let passed = step {
                if passed != level { skippedLevels.append(passed) }
            } else {
                missedRepeats += 1
            }
        }
    }
}
