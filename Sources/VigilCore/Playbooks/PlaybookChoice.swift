import Foundation

/// An incident opened with only a category that has several playbooks: it opens at once (an
/// urgent open is never refused), lists the candidates best first, and reminds whoever
/// acknowledged it, or else on-call, every `playbook_choice` until someone chooses.
public enum PlaybookChoice {
    /// The reminder's clock row name.
    public static let clockName = "playbook-choice"

    /// `Choose its playbook (best match first):` and one line per candidate with the exact command.
    static func lines(_ candidates: [Playbook], incident: Incident, text: IncidentText) -> [[Span]] {
        let id = text.id(incident)
        var lines: [[Span]] = [[.text("Playbook not chosen: \(incident.category) has \(candidates.count). Choose one (best match first):")]]
        for playbook in candidates {
            var line: [Span] = [.code("/incident playbook \(id) \(playbook.id)"), .text(" — \(playbook.title)")]
            if let legal = playbook.legal { line.append(.text(" · legal clock \(DurationText.format(legal.due)) (\(legal.citation))")) }
            if playbook.restricted { line.append(.text(" · restricted")) }
            lines.append(line)
        }
        return lines
    }

    /// The reminder, first due `playbook_choice` after `start` (the opening, or a reopen).
    static func reminderClock(for incident: Incident, policy: Policy, from start: Date? = nil) -> ClockRow {
        let start = start ?? incident.openedAt
        let due = start.adding(policy.playbookChoice)
        return ClockRow(incident: incident.number, name: clockName, kind: .reminder, startedAt: start, dueAt: due, nextFireAt: due)
    }

    /// The reminder rows to cancel now that a playbook is chosen (or the incident resolved).
    static func cancelled(in rows: [ClockRow], at: Date) -> [ClockRow] {
        ClockPlanner.cancel(kinds: [.reminder], in: rows.filter { $0.name == clockName }, at: at)
    }

    /// Fires the reminder: a post to on-call naming whoever acknowledged the incident (or the
    /// people on call for its level) with the candidates, re-armed for `playbook_choice` later.
    /// Once a playbook is attached or the incident resolved, the row is cancelled silently.
    static func fire(_ row: ClockRow, incident: Incident, catalog: PlaybookCatalog, policy: Policy, now: Date) -> ClockFiring {
        guard catalog.awaitsChoice(incident) else {
            return ClockFiring(row: row.cancelled(at: now), incident: incident, expectedSequence: incident.lastSequence, events: [], outbox: [])
        }
        var row = row
        let text = IncidentText(policy: policy, now: now)
        let people = incident.acknowledgedBy.map { [$0] } ?? ClockAlerts.actNow(incident, policy: policy, now: now)
        var head: [Span] = [.text("⏰ ")] + text.tag(incident)
        head.append(.text(" · playbook still not chosen, \(DurationText.format(now.duration(since: incident.openedAt))) after opening"))
        if !people.isEmpty {
            head.append(.text(" · "))
            for (index, person) in people.enumerated() {
                if index > 0 { head.append(.text(" ")) }
                head.append(.mention(person))
            }
        }
        let candidates = catalog.choices(for: incident)
        let message = Message(lines: [head] + lines(candidates, incident: incident, text: text).dropFirst())
        row.alertsSent += 1
        row.nextFireAt = now.adding(policy.playbookChoice)
        return ClockFiring(
            row: row, incident: incident, expectedSequence: incident.lastSequence, events: [],
            outbox: [OutboxItem(channel: .oncall, incident: incident.number, message: message)])
    }
}
