import Foundation

/// `step <id> done|skip|approve [<step>] …`: walking an incident through its playbooks, recording
/// who did what, when, with which evidence. Several steps may be open at once; a command names
/// the step it means unless only one is open.
extension IncidentDraft {
    mutating func step(_ command: ParsedCommand) throws(UserError) {
        let all = progresses
        guard !all.isEmpty else { throw noPlaybook() }
        let value = (command.string("value") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let action = command.string("action") ?? ""
        switch action {
        case "done":
            let (target, rest) = try target(action, typed: value, in: all)
            try complete(target.step, in: target.progress, evidence: rest)
        case "skip":
            let (target, rest) = try target(action, typed: value, in: all)
            try skip(target.step, in: target.progress, reason: rest)
        case "approve":
            try approve(value, in: all)
        default:
            throw UserError("`step \(id)` only shows the open steps.")
        }
    }

    func noPlaybook() -> UserError {
        if context.catalog.awaitsChoice(incident) {
            return UserError(
                "\(id) has no playbook yet: choose one with `/incident playbook \(id) <playbook>`. \(Lifecycle.applicablePlaybooks(incident.category, context))"
            )
        }
        return UserError(
            "\(id) has no playbook. Attach one with `/incident playbook \(id) <playbook>`. \(Lifecycle.installedPlaybooks(context))")
    }

    /// The step `typed` names first (`suspend-account`, or `csam/report-ncmec`) and the rest of
    /// the text; or, when it names none, the one open step. Never a guess: several open steps
    /// and no name is a refusal listing them.
    func target(_ action: String, typed: String, in all: [PlaybookProgress]) throws(UserError) -> (StepTarget, String) {
        let first = typed.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
        let rest = String(typed.dropFirst(first.count)).trimmingCharacters(in: .whitespacesAndNewlines)
        if !first.isEmpty, !first.contains("=") {
            let matches = StepTarget.named(first, in: all)
            if matches.count == 1 { return (matches[0], rest) }
            if matches.count > 1 {
                let names = matches.map { "`\($0.progress.playbook.id)/\($0.step.id)`" }
                throw UserError("“\(first)” is a step of several of \(id)'s playbooks; name it as \(Suggestions.orList(names)).")
            }
            // `skip` without a step name takes its whole text as the reason.
            if action == "done" { throw unknownStep(first, in: all) }
        }
        let open = all.flatMap { progress in progress.openSteps.map { StepTarget(progress: progress, step: $0) } }
        guard let only = open.first else {
            throw UserError("No step of \(id) is open: every step is done or skipped.")
        }
        guard open.count == 1 else {
            let commands = open.map { "`/incident step \(id) \(action) \($0.progress.reference($0.step))`" }
            throw UserError("\(open.count) steps of \(id) are open; name the one you mean: \(commands.joined(separator: ", ")).")
        }
        try refuseRepeat(only)
        return (only, typed)
    }

    /// A `done` typed twice must not complete the step the first one opened: when the one open
    /// step was opened moments ago by this person's own completion, it has to be named.
    func refuseRepeat(_ target: StepTarget) throws(UserError) {
        guard let opened = target.progress.openedAt(target.step), opened > target.progress.attachedAt,
            now.timeIntervalSince(opened) < StepTarget.repeatWindow,
            let previous = incident.steps.last(where: { $0.settledAt == opened }),
            context.policy.people.mayBeSamePerson(previous.approvedBy ?? previous.by, context.actor)
        else { return }
        let title = target.progress.playbook.steps.first { $0.id == previous.step }?.title ?? previous.step
        throw UserError(
            "You settled “\(title)” at \(text.time(opened)); the step open now is “\(target.step.title)”. "
                + "If you mean that one, name it: `/incident step \(id) done \(target.progress.reference(target.step))\(StepText.fieldHint(target.step))`."
        )
    }

    func unknownStep(_ word: String, in all: [PlaybookProgress]) -> UserError {
        let references = all.flatMap { progress in progress.steps.map { progress.reference($0) } }
        let hint = Suggestions.closest(to: word, in: references).first.map { " Did you mean `\($0)`?" } ?? ""
        let open = all.flatMap { progress in progress.openSteps.map { progress.reference($0) } }
        let openList = open.isEmpty ? "" : " Open now: \(open.joined(separator: ", "))."
        return UserError("\(id) has no step “\(word)”.\(hint)\(openList)")
    }

    /// Refuses work on a step that is settled or still waiting for the steps it comes after.
    func requireOpen(_ step: PlaybookStep, in progress: PlaybookProgress) throws(UserError) {
        if let record = progress.record(of: step.id), record.settledAt != nil {
            let verb = record.status == .skipped ? "skipped" : "done"
            throw UserError("“\(step.title)” was already \(verb) by @\(record.by.name) at \(text.time(record.at)).")
        }
        guard progress.isOpen(step) else {
            let waiting = progress.dependencies(of: step).filter { !progress.isSettled($0) }.map { "“\($0.title)”" }
            throw UserError("“\(step.title)” opens after \(Suggestions.andList(waiting)); those come first.")
        }
    }

    mutating func complete(_ step: PlaybookStep, in progress: PlaybookProgress, evidence typed: String) throws(UserError) {
        try requireOpen(step, in: progress)
        if let record = progress.record(of: step.id), record.status == .awaitingApproval {
            throw UserError(
                "“\(step.title)” was marked done by @\(record.by.name) and waits for a second person's approval: `/incident step \(id) approve \(progress.reference(step))`."
            )
        }
        let evidence = try checkedEvidence(typed, for: step, in: progress)
        let stepNumber = progress.position(of: step)
        var payload = ["step": step.id, "playbook": progress.playbook.id]
        for (name, value) in evidence { payload["evidence.\(name)"] = value }
        acknowledgeByWork()
        if step.twoPersonApproval {
            payload["awaiting_approval"] = "true"
            incident.steps.append(
                StepRecord(
                    step: step.id, playbook: progress.playbook.id, status: .awaitingApproval, by: context.actor, at: now, evidence: evidence
                ))
            record(.stepCompleted, payload)
            var line = text.tag(incident)
            line += [
                .text(" · step \(stepNumber)/\(progress.steps.count) “\(step.title)” marked done by "), .mention(context.actor),
                .text(evidenceNote(evidence)),
            ]
            let ask: [Span] = [
                .text("Needs a second, different person's approval before it counts: "),
                .code("/incident step \(id) approve \(progress.reference(step))"),
            ]
            post(Message(lines: [line, ask]), publicLine: publicLine(stepNumber, progress, "marked done, awaiting approval"))
            return
        }
        incident.steps.append(
            StepRecord(step: step.id, playbook: progress.playbook.id, status: .done, by: context.actor, at: now, evidence: evidence))
        record(.stepCompleted, payload)
        stopClocks(of: step, progress: progress, at: now)
        let kept = preserve(step, in: progress, evidence: evidence)
        var line = text.tag(incident)
        line += [
            .text(" · step \(stepNumber)/\(progress.steps.count) “\(step.title)” done by "), .mention(context.actor),
            .text(evidenceNote(evidence) + timeliness(step, progress)),
        ]
        let next = settled(progress)
        post(Message(lines: [line] + kept + next), publicLine: publicLine(stepNumber, progress, "done"))
    }

    mutating func skip(_ step: PlaybookStep, in progress: PlaybookProgress, reason: String) throws(UserError) {
        try requireOpen(step, in: progress)
        guard !reason.isEmpty else {
            throw UserError("Say why “\(step.title)” is skipped: `/incident step \(id) skip \(progress.reference(step)) <reason…>`.")
        }
        guard !step.blocking else {
            throw UserError(
                "“\(step.title)” blocks resolving \(id) and cannot be skipped; complete it with `/incident step \(id) done \(progress.reference(step))\(StepText.fieldHint(step))`."
            )
        }
        acknowledgeByWork()
        incident.steps.append(
            StepRecord(step: step.id, playbook: progress.playbook.id, status: .skipped, by: context.actor, at: now, reason: reason))
        record(.stepSkipped, ["step": step.id, "playbook": progress.playbook.id, "reason": reason])
        if let row = progress.clock(of: step) { clocks.append(row.cancelled(at: now)) }
        var line = text.tag(incident)
        line += [
            .text(" · step \(progress.position(of: step))/\(progress.steps.count) “\(step.title)” skipped by "), .mention(context.actor),
        ]
        if !incident.restricted { line.append(.text(": \(reason)")) }
        let next = settled(progress)
        post(Message(lines: [line] + next), publicLine: publicLine(progress.position(of: step), progress, "skipped"))
    }

    mutating func approve(_ typed: String, in all: [PlaybookProgress]) throws(UserError) {
        let waiting = all.flatMap { progress in
            progress.steps.filter { progress.status(of: $0.id) == .awaitingApproval }.map { progress.reference($0) }
        }
        guard !typed.isEmpty else {
            let hint = waiting.first.map { " Waiting: `/incident step \(id) approve \($0)`." } ?? " No step is waiting for approval."
            throw UserError("Name the step to approve.\(hint)")
        }
        let matches = StepTarget.named(typed, in: all)
        guard matches.count == 1, let target = matches.first else {
            throw matches.isEmpty
                ? unknownStep(typed, in: all) : UserError("“\(typed)” is a step of several playbooks; name it as playbook/step.")
        }
        let (progress, step) = (target.progress, target.step)
        guard let record = progress.record(of: step.id), record.status == .awaitingApproval else {
            throw UserError(
                "“\(step.title)” is not waiting for approval\(waiting.isEmpty ? "" : "; waiting: \(waiting.joined(separator: ", "))").")
        }
        // People, not accounts: one person's Slack and Mattermost accounts (linked in `people:`)
        // are one person, and a doubt (an old row without a platform) counts as the same person.
        guard context.actor.identity != nil, !context.policy.people.mayBeSamePerson(record.by, context.actor) else {
            throw UserError(
                "You marked “\(step.title)” done (from this or another of your accounts); a second, different person must approve it.")
        }
        var approved = record
        approved.status = .done
        approved.approvedBy = context.actor
        approved.approvedAt = now
        approved.playbook = progress.playbook.id
        if let index = incident.steps.lastIndex(of: record) { incident.steps[index] = approved }
        self.record(.stepApproved, ["step": step.id, "playbook": progress.playbook.id])
        stopClocks(of: step, progress: progress, at: now)
        let kept = preserve(step, in: progress, evidence: record.evidence)
        var line = text.tag(incident)
        line += [
            .text(" · step \(progress.position(of: step))/\(progress.steps.count) “\(step.title)” approved by "), .mention(context.actor),
            .text(" (done by "), .mention(record.by), .text(")" + timeliness(step, progress)),
        ]
        let next = settled(progress)
        post(Message(lines: [line] + kept + next), publicLine: publicLine(progress.position(of: step), progress, "approved"))
    }

    /// After a step of `before` settled: the clocks of the steps it opened start, and the reply
    /// shows what is open now, owners mentioned.
    mutating func settled(_ before: PlaybookProgress) -> [[Span]] {
        guard let after = progresses.first(where: { $0.playbook.id == before.playbook.id }) else { return [] }
        clocks += after.clocksOpened(since: before).map { ClockPlanner.schedule($0, policy: context.policy, incident: incident) }
        outbox += StepPages.pages(
            opened: after.newlyOpened(since: before).map { (after, $0) }, incident: incident, actor: context.actor, policy: context.policy,
            now: now)
        return nextStepLines()
    }

    // MARK: - Helpers

    /// Checks `field=value` pairs against what the step requires: every field named, none missing.
    func checkedEvidence(_ typed: String, for step: PlaybookStep, in progress: PlaybookProgress) throws(UserError) -> [String: String] {
        let pairs = try EvidenceParser.parse(typed)
        let known = Set(step.requires.map(\.name))
        if let unknown = pairs.first(where: { !known.contains($0.0) }) {
            let expected =
                step.requires.isEmpty ? "it records no fields" : "it records \(step.requires.map(\.name).joined(separator: ", "))"
            throw UserError("“\(step.title)” has no field “\(unknown.0)”; \(expected).")
        }
        let given = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        let missing = step.requires.filter { (given[$0.name] ?? "").isEmpty }
        if !missing.isEmpty {
            let described = missing.map { "\($0.name) (\($0.description))" }
            throw UserError(
                "“\(step.title)” needs \(Suggestions.andList(described)): `/incident step \(id) done \(progress.reference(step))\(StepText.fieldHint(step))`."
            )
        }
        return given
    }

    /// Stops the step's clock, and the legal clock if the step completes it.
    mutating func stopClocks(of step: PlaybookStep, progress: PlaybookProgress, at: Date) {
        if let row = progress.clock(of: step) { clocks.append(row.stopped(at: at)) }
        if step.completesLegal, let legal = progress.legalClock {
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

    /// The steps open after this command, owners mentioned, or that every playbook is complete.
    func nextStepLines() -> [[Span]] {
        StepText(text: text, owners: StepOwners(policy: context.policy, now: now)).open(progresses)
    }

    /// Announces in the incidents channel and replies in channel. A restricted incident's
    /// channel post is `publicLine` alone (ID, severity, category, progress); the person acting
    /// gets the step details privately.
    mutating func post(_ message: Message, publicLine: [Span]) {
        let buttons = IncidentActions.lifecycle(incident, policy: context.policy)
        var message = message
        message.actions = buttons + IncidentActions.steps(progresses, incident: incident, policy: context.policy)
        guard incident.restricted else {
            outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: message))
            reply = Reply(.inChannel, message)
            return
        }
        outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: Message(lines: [publicLine], actions: buttons)))
        reply = Reply(.ephemeral, message)
    }

    /// `INC-58 · SEV1 · child-safety (restricted) · step 2/6 done by @ava`: no step title.
    func publicLine(_ number: Int, _ progress: PlaybookProgress, _ verb: String) -> [Span] {
        text.tag(incident) + [.text(" · step \(number)/\(progress.steps.count) \(verb) by "), .mention(context.actor)]
    }
}

/// A step a command names, with the playbook it belongs to.
struct StepTarget {
    let progress: PlaybookProgress
    let step: PlaybookStep

    /// How soon after a person's own step work a bare `done` is taken as a repeat of it.
    static let repeatWindow: TimeInterval = 120

    /// The steps `word` names: `step-id` in any attached playbook, or `playbook/step-id`.
    static func named(_ word: String, in all: [PlaybookProgress]) -> [StepTarget] {
        let lowered = word.lowercased()
        if let slash = lowered.firstIndex(of: "/") {
            let playbook = String(lowered[..<slash]), step = String(lowered[lowered.index(after: slash)...])
            return all.filter { $0.playbook.id == playbook }.flatMap { progress in
                progress.steps.filter { $0.id == step }.map { StepTarget(progress: progress, step: $0) }
            }
        }
        return all.flatMap { progress in progress.steps.filter { $0.id == lowered }.map { StepTarget(progress: progress, step: $0) } }
    }
}

/// What `step <id> …` asks for before it reaches an incident: a misspelt action (`don`,
/// `finish`) is refused with "did you mean", never taken as a request to show the steps.
public enum StepRequest {
    public static let actions = ["show", "done", "skip", "approve"]

    public static func refuseUnknownAction(_ command: ParsedCommand) throws(UserError) {
        guard command.subcommand == .step, command.string("action") == nil,
            let typed = command.string("value")?.split(whereSeparator: \.isWhitespace).first.map(String.init)
        else { return }
        let hint = Suggestions.closest(to: typed, in: actions).first.map { " Did you mean `\($0)`?" } ?? ""
        throw UserError("“\(typed)” is not a step action.\(hint) Actions: \(actions.joined(separator: ", ")).", usage: command.spec.usage)
    }
}
