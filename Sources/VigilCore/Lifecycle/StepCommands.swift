import Foundation

/// `step <id> done|skip|approve` and `playbook <id> <playbook-id>`: walking an incident through
/// its playbook, recording who did what, when, with which evidence.
extension IncidentDraft {
    mutating func step(_ command: ParsedCommand) throws(UserError) {
        guard let progress else { throw noPlaybook() }
        let value = (command.string("value") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        switch command.string("action") {
        case "done": try complete(progress, evidence: value)
        case "skip": try skip(progress, reason: value)
        case "approve": try approve(progress, stepID: value)
        default: throw UserError("`step \(id)` only shows the current step.")
        }
    }

    func noPlaybook() -> UserError {
        UserError("\(id) has no playbook. Attach one with `/incident playbook \(id) <playbook-id>`. \(Lifecycle.installedPlaybooks(context))")
    }

    mutating func complete(_ progress: PlaybookProgress, evidence typed: String) throws(UserError) {
        guard let step = progress.current else { throw UserError("Every step of \(id)'s playbook is already done or skipped.") }
        if let record = progress.record(of: step.id), record.status == .awaitingApproval {
            throw UserError(
                "“\(step.title)” was marked done by @\(record.by.name) and waits for a second person's approval: `/incident step \(id) approve \(step.id)`.")
        }
        let evidence = try checkedEvidence(typed, for: step)
        let stepNumber = progress.position(of: step)
        var payload = ["step": step.id]
        for (name, value) in evidence { payload["evidence.\(name)"] = value }
        if step.twoPersonApproval {
            payload["awaiting_approval"] = "true"
            incident.steps.append(StepRecord(step: step.id, status: .awaitingApproval, by: context.actor, at: now, evidence: evidence))
            record(.stepCompleted, payload)
            var line = text.tag(incident)
            line += [.text(" · step \(stepNumber)/\(progress.steps.count) “\(step.title)” marked done by "), .mention(context.actor), .text(evidenceNote(evidence))]
            let ask: [Span] = [.text("Needs a second, different person's approval before it counts: "), .code("/incident step \(id) approve \(step.id)")]
            post(Message(lines: [line, ask]), publicLine: publicLine(stepNumber, progress, "marked done, awaiting approval"))
            return
        }
        incident.steps.append(StepRecord(step: step.id, status: .done, by: context.actor, at: now, evidence: evidence))
        record(.stepCompleted, payload)
        stopClocks(of: step, progress: progress, at: now)
        var line = text.tag(incident)
        line += [.text(" · step \(stepNumber)/\(progress.steps.count) “\(step.title)” done by "), .mention(context.actor), .text(evidenceNote(evidence) + timeliness(step, progress))]
        post(Message(lines: [line] + nextStepLines()), publicLine: publicLine(stepNumber, progress, "done"))
    }

    mutating func skip(_ progress: PlaybookProgress, reason: String) throws(UserError) {
        guard let step = progress.current else { throw UserError("Every step of \(id)'s playbook is already done or skipped.") }
        guard !reason.isEmpty else {
            throw UserError("Say why “\(step.title)” is skipped: `/incident step \(id) skip <reason…>`.")
        }
        guard !step.blocking else {
            throw UserError("“\(step.title)” blocks resolving \(id) and cannot be skipped; complete it with `/incident step \(id) done\(StepText.fieldHint(step))`.")
        }
        incident.steps.append(StepRecord(step: step.id, status: .skipped, by: context.actor, at: now, reason: reason))
        record(.stepSkipped, ["step": step.id, "reason": reason])
        if let due = progress.dueDate(of: step) {
            clocks.append(ClockRow(
                incident: incident.number, name: PlaybookProgress.clockName(step), kind: .step, startedAt: progress.start(step.dueFrom),
                dueAt: due, state: .cancelled, stoppedAt: now))
        }
        var line = text.tag(incident)
        line += [.text(" · step \(progress.position(of: step))/\(progress.steps.count) “\(step.title)” skipped by "), .mention(context.actor)]
        if !incident.restricted { line.append(.text(": \(reason)")) }
        post(Message(lines: [line] + nextStepLines()), publicLine: publicLine(progress.position(of: step), progress, "skipped"))
    }

    mutating func approve(_ progress: PlaybookProgress, stepID: String) throws(UserError) {
        let waiting = progress.steps.filter { progress.status(of: $0.id) == .awaitingApproval }
        guard !stepID.isEmpty else {
            let hint = waiting.first.map { " Waiting: `/incident step \(id) approve \($0.id)`." } ?? " No step is waiting for approval."
            throw UserError("Name the step to approve.\(hint)")
        }
        guard let step = progress.steps.first(where: { $0.id == stepID.lowercased() }) else {
            throw UserError("\(id)'s playbook has no step “\(stepID)”. Steps: \(progress.steps.map(\.id).joined(separator: ", ")).")
        }
        guard let record = progress.record(of: step.id), record.status == .awaitingApproval else {
            throw UserError("“\(step.title)” is not waiting for approval\(waiting.isEmpty ? "" : "; waiting: \(waiting.map(\.id).joined(separator: ", "))").")
        }
        // People, not accounts: one person's Slack and Mattermost accounts (linked in `people:`)
        // are one person, and a doubt (an old row without a platform) counts as the same person.
        guard context.actor.identity != nil, !context.policy.people.mayBeSamePerson(record.by, context.actor) else {
            throw UserError("You marked “\(step.title)” done (from this or another of your accounts); a second, different person must approve it.")
        }
        var approved = record
        approved.status = .done
        approved.approvedBy = context.actor
        approved.approvedAt = now
        if let index = incident.steps.lastIndex(where: { $0.step == step.id }) { incident.steps[index] = approved }
        self.record(.stepApproved, ["step": step.id])
        stopClocks(of: step, progress: progress, at: now)
        var line = text.tag(incident)
        line += [.text(" · step \(progress.position(of: step))/\(progress.steps.count) “\(step.title)” approved by "), .mention(context.actor), .text(" (done by "), .mention(record.by), .text(")" + timeliness(step, progress))]
        post(Message(lines: [line] + nextStepLines()), publicLine: publicLine(progress.position(of: step), progress, "approved"))
    }

    mutating func switchPlaybook(to playbookID: String, usage: String) throws(UserError) {
        guard let playbook = context.catalog.playbook(id: playbookID) else {
            throw UserError("There is no playbook “\(playbookID)”. \(Lifecycle.applicablePlaybooks(incident.category, context))", usage: usage)
        }
        // Only a playbook for the incident's own category: a child-safety incident cannot be
        // moved to `harassment` (and lose its duties); its restriction comes from its category
        // and so stays whatever the playbook.
        guard playbook.applies(toCategory: incident.category) else {
            throw UserError("Playbook “\(playbook.id)” is not for \(incident.category) incidents. \(Lifecycle.applicablePlaybooks(incident.category, context))", usage: usage)
        }
        guard playbook.id != incident.playbook else { throw UserError("\(id) already follows “\(playbook.title)”.") }
        guard incident.steps.isEmpty else {
            throw UserError("\(id) has step progress in its current playbook; switching now would lose that record.")
        }
        // Step clocks of the old playbook end; its legal clock does not: a legal duty is stopped
        // only by completing it or by a recorded waiver (`waive`).
        if let old = progress { clocks += old.cancelledClocks(at: now).filter { $0.kind != .legal } }
        let previous = incident.playbook
        incident.playbook = playbook.id
        record(.playbookChanged, ["from": previous ?? "", "to": playbook.id])
        let progress = PlaybookProgress(playbook: playbook, incident: incident)
        // A restarted clock replaces the cancelled row of the same name, if both playbooks share a step.
        var starting = progress.startingClocks().filter { $0.kind != .legal }.map {
            ClockPlanner.schedule($0, policy: context.policy, incident: incident)
        }
        if let legal = progress.startingClocks().first(where: { $0.kind == .legal }), let row = newLegalClock(legal, for: playbook) {
            starting.append(ClockPlanner.schedule(row, policy: context.policy, incident: incident))
        }
        clocks = clocks.filter { row in !starting.contains { $0.name == row.name } } + starting
        var line = text.headline(incident, "playbook changed")
        line += [.text(" by "), .mention(context.actor)]
        post(Message(lines: [line] + StepText(text: text).attached(progress)), publicLine: line)
    }

    /// The new playbook's legal clock, unless the incident already has that rule's clock (running,
    /// met or waived: it is not restarted). Named `legal`, or `legal:<playbook>` when a clock of
    /// another rule already holds that name and keeps running beside it.
    func newLegalClock(_ legal: ClockRow, for playbook: Playbook) -> ClockRow? {
        let existingLegal = existingClocks.filter { $0.kind == .legal }
        guard !existingLegal.contains(where: { $0.rule == legal.rule }) else { return nil }
        var row = legal
        if existingLegal.contains(where: { $0.name == legal.name }) { row.name = "\(ClockPlanner.legalName):\(playbook.id)" }
        return row
    }

    // MARK: - Helpers

    /// Checks `field=value` pairs against what the step requires: every field named, none missing.
    func checkedEvidence(_ typed: String, for step: PlaybookStep) throws(UserError) -> [String: String] {
        let pairs = try EvidenceParser.parse(typed)
        let known = Set(step.requires.map(\.name))
        if let unknown = pairs.first(where: { !known.contains($0.0) }) {
            let expected = step.requires.isEmpty ? "it records no fields" : "it records \(step.requires.map(\.name).joined(separator: ", "))"
            throw UserError("“\(step.title)” has no field “\(unknown.0)”; \(expected).")
        }
        let given = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        let missing = step.requires.filter { (given[$0.name] ?? "").isEmpty }
        if !missing.isEmpty {
            let described = missing.map { "\($0.name) (\($0.description))" }
            throw UserError(
                "“\(step.title)” needs \(Suggestions.orList(described).replacingOccurrences(of: " or ", with: " and ")): `/incident step \(id) done\(StepText.fieldHint(step))`.")
        }
        return given
    }

    /// Stops the step's clock, and the legal clock if the step completes it.
    mutating func stopClocks(of step: PlaybookStep, progress: PlaybookProgress, at: Date) {
        if let due = progress.dueDate(of: step) {
            clocks.append(ClockRow(
                incident: incident.number, name: PlaybookProgress.clockName(step), kind: .step, startedAt: progress.start(step.dueFrom),
                dueAt: due
            ).stopped(at: at))
        }
        if step.completesLegal, let legal = progress.startingClocks().first(where: { $0.kind == .legal }) {
            // The running clock of this rule, whatever its name (`legal`, or `legal:<playbook>`
            // when it runs beside an earlier playbook's); the planned row when none is stored.
            let stored = existingClocks.filter { $0.kind == .legal && $0.rule == legal.rule }
            clocks += stored.isEmpty ? [legal.stopped(at: at)] : stored.filter { $0.state == .running }.map { $0.stopped(at: at) }
        }
    }

    /// ` with hash, storage_ref` — the names only: values can be sensitive and stay in private views.
    func evidenceNote(_ evidence: [String: String]) -> String {
        evidence.isEmpty ? "" : " with \(evidence.keys.sorted().joined(separator: ", "))"
    }

    /// ` (on time)` / ` (12 min late)` for a step with a deadline.
    func timeliness(_ step: PlaybookStep, _ progress: PlaybookProgress) -> String {
        guard let due = progress.dueDate(of: step) else { return "" }
        return now <= due ? " (on time)" : " (\(DurationText.format(now.duration(since: due))) late)"
    }

    /// The next step to do after this command, or that the playbook is complete.
    func nextStepLines() -> [[Span]] {
        guard let progress else { return [] }
        return StepText(text: text).next(progress)
    }

    /// Announces in the incidents channel and replies in channel. A restricted incident's
    /// channel post is `publicLine` alone (ID, severity, category, progress); the person acting
    /// gets the step details privately.
    mutating func post(_ message: Message, publicLine: [Span]) {
        guard incident.restricted else {
            outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: message))
            reply = Reply(.inChannel, message)
            return
        }
        outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: Message(lines: [publicLine])))
        reply = Reply(.ephemeral, message)
    }

    /// `INC-58 · SEV1 · child-safety (restricted) · step 2/6 done by @ava`: no step title.
    func publicLine(_ number: Int, _ progress: PlaybookProgress, _ verb: String) -> [Span] {
        text.tag(incident) + [.text(" · step \(number)/\(progress.steps.count) \(verb) by "), .mention(context.actor)]
    }
}
