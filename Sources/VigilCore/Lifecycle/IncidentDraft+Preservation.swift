import Foundation

/// The evidence-preservation ledger's commands on one incident: the entry a completed step
/// records, and the legal hold (`hold`, `release`). Every change is an event in the incident's
/// hash chain.
extension IncidentDraft {
    /// Records the ledger entry for `step`, just done, if its playbook says it preserves something:
    /// the `preserved` event and the release reminder clock. Returns the line for the reply.
    mutating func preserve(_ step: PlaybookStep, in progress: PlaybookProgress, evidence: [String: String]) -> [[Span]] {
        guard let rule = step.preserve else { return [] }
        // Where it is kept is often recorded by an earlier step of the playbook (the evidence
        // store's reference, the material's hash, the report number): those count too, and this
        // step's own values win.
        var known: [String: String] = [:]
        for record in incident.steps where record.playbook == progress.playbook.id && record.status == .done {
            known.merge(record.evidence) { _, later in later }
        }
        known.merge(evidence) { _, own in own }
        let entry = PreservationLedger.record(
            rule, step: step, playbook: progress.playbook.id, evidence: known, incident: incident, policy: context.policy, now: now)
        record(.preserved, entry.payload)
        clocks.append(entry.clock)
        var line: [Span] = [.text("🗄 Preserved: “\(rule.what ?? step.title)”, kept until \(text.time(entry.releaseAt))")]
        if let law = rule.law { line.append(.text(" (\(rule.period), \(law))")) } else { line.append(.text(" (\(rule.period))")) }
        if let hold = incident.legalHold {
            line.append(.text(" · under the legal hold placed by @\(hold.by.name): kept until it is lifted"))
        } else {
            line += [.text(" · to keep it longer: "), .code("/incident hold \(id) <reason>")]
        }
        return [line]
    }

    /// `hold <id> <reason>`: a legal hold on everything the incident preserved, now and later.
    mutating func hold(reason: String) throws(UserError) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if let hold = incident.legalHold {
            throw UserError(
                "\(id) is already under a legal hold, placed by @\(hold.by.name) at \(text.time(hold.at)). Lift it with `/incident release \(id)`."
            )
        }
        guard !reason.isEmpty else {
            throw UserError("Say why \(id) is held (the request, the case, counsel's instruction).", usage: "hold <id> <reason…>")
        }
        incident.legalHold = LegalHold(by: context.actor, at: now, reason: reason)
        record(.held, ["reason": reason])
        var line = text.tag(incident)
        line += [
            .text(" · legal hold placed by "), .mention(context.actor), .text(": nothing preserved for it is released until it is lifted"),
        ]
        let detail: [Span] = incident.restricted ? [] : [.text("Reason: \(reason)")]
        let message = Message(lines: [line] + (detail.isEmpty ? [] : [detail]))
        outbox.append(OutboxItem(channel: .leads, incident: incident.number, message: Message(lines: [line])))
        reply = Reply(.ephemeral, message)
    }

    /// `release <id> [reason]`: lifts the legal hold. Entries whose release date has passed may
    /// be released from now on; the reply names them (from their reminder clocks, which carry
    /// each entry's release date).
    mutating func releaseHold(reason: String) throws(UserError) {
        guard let hold = incident.legalHold else {
            throw UserError("\(id) has no legal hold to lift. Place one with `/incident hold \(id) <reason>`.")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        incident.legalHold = nil
        var payload = ["held_since": String(Int64((hold.at.timeIntervalSince1970 * 1000).rounded()))]
        if !reason.isEmpty { payload["reason"] = reason }
        record(.holdReleased, payload)
        var line = text.tag(incident)
        line += [.text(" · legal hold lifted by "), .mention(context.actor), .text(" (placed by @\(hold.by.name) \(text.time(hold.at)))")]
        var lines = [line]
        let due = existingClocks.filter { $0.kind == .release && $0.dueAt <= now }
        if !due.isEmpty {
            let names = due.map { "\($0.name.dropFirst("release:".count)) (since \(text.time($0.dueAt)))" }
            lines.append([.text("Now releasable: \(names.joined(separator: "; ")).")])
        }
        // Reminders that came due under the hold ended silently; those still ahead run again.
        for row in existingClocks where row.kind == .release && row.state != .running && row.dueAt > now {
            var again = row
            again.state = .running
            again.stoppedAt = nil
            again.nextFireAt = max(now, row.dueAt.addingTimeInterval(-context.policy.preservationReminder.timeInterval))
            clocks.append(again)
        }
        outbox.append(OutboxItem(channel: .leads, incident: incident.number, message: Message(lines: [line])))
        reply = Reply(.ephemeral, Message(lines: lines))
    }
}
