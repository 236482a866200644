import Foundation

/// `waive <id> <clock> <reason…>`: the only way to stop a legal clock without doing its duty.
/// Run only by `lead` or `legal` (the spec's `role:`), always with a reason, and recorded as a
/// `clock_waived` event with who, when, which clock and why.
extension IncidentDraft {
    mutating func waive(_ name: String, reason: String, usage: String) throws(UserError) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw UserError("Say why the legal clock of \(id) is waived; the reason stays in its record.", usage: usage)
        }
        let running = existingClocks.filter { $0.kind == .legal && $0.state == .running }
        guard !running.isEmpty else { throw UserError("\(id) has no running legal clock to waive.") }
        let chosen = try legalClocks(named: name.lowercased(), among: running, usage: usage)
        for row in chosen {
            var waived = row
            waived.state = .cancelled
            waived.stoppedAt = now
            waived.nextFireAt = nil
            clocks.append(waived)
            record(.clockWaived, ["clock": row.name, "rule": row.rule ?? "", "reason": reason])
        }
        let rules = chosen.map { $0.rule ?? $0.name }.joined(separator: "; ")
        var line = text.headline(incident, "legal clock waived")
        line += [.text(" · by "), .mention(context.actor)]
        let detail: [Span] = [.text("Waived: \(rules) · reason: \(reason)")]
        let message = Message(lines: [line, detail])
        if incident.restricted {
            // The channels get the fact; the rule and the reason stay in the restricted record.
            outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: Message(lines: [line])))
            outbox.append(OutboxItem(channel: .leads, incident: incident.number, message: Message(lines: [line])))
            reply = Reply(.ephemeral, message)
        } else {
            outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: message))
            outbox.append(OutboxItem(channel: .leads, incident: incident.number, message: message))
            reply = Reply(.inChannel, message)
        }
    }

    /// `legal` (every running legal clock when there is one, else the one named exactly
    /// `legal`), a clock's name (`legal:csam`), or the id of the step whose duty meets it.
    private func legalClocks(named name: String, among running: [ClockRow], usage: String) throws(UserError) -> [ClockRow] {
        if let exact = running.first(where: { $0.name == name }) { return [exact] }
        if name == ClockPlanner.legalName, running.count == 1 { return running }
        if let progress, let step = progress.playbook.steps.first(where: { $0.id == name }) {
            guard step.completesLegal, let legal = progress.startingClocks().first(where: { $0.kind == .legal }) else {
                throw UserError("Step “\(step.title)” meets no legal clock; `waive` is only for legal clocks. \(runningList(running))", usage: usage)
            }
            let matching = running.filter { $0.rule == legal.rule }
            if !matching.isEmpty { return matching }
        }
        throw UserError("\(id) has no running legal clock “\(name)”. \(runningList(running))", usage: usage)
    }

    private func runningList(_ running: [ClockRow]) -> String {
        "Running: " + running.map { "\($0.name) (\($0.rule ?? "legal deadline"))" }.joined(separator: ", ") + "."
    }
}
