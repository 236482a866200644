import Foundation

/// How playbook steps read in chat: the steps open now, the progress line, the history.
public struct StepText: Sendable {
    let text: IncidentText
    /// Who each step's owner is, for mentions; `nil` shows owners by role name only.
    let owners: StepOwners?

    public init(text: IncidentText, owners: StepOwners? = nil) {
        self.text = text
        self.owners = owners
    }

    /// The lines posted when a playbook is attached: its name, its legal clock and the steps
    /// open from the start.
    func attached(_ progress: PlaybookProgress) -> [[Span]] {
        var lines: [[Span]] = [[.text("Playbook: "), .bold(progress.playbook.title)]]
        if let legal = progress.playbook.legal, let due = progress.legalDueDate {
            lines.append([.text("Legal clock: \(legal.rule) (\(legal.citation)), due \(text.time(due))")])
        }
        return lines + open([progress])
    }

    /// The steps open now across `progresses`: one in full, several one line each, or that
    /// every step is settled.
    func open(_ progresses: [PlaybookProgress]) -> [[Span]] {
        let open = progresses.flatMap { progress in progress.openSteps.map { (progress, $0) } }
        if open.count == 1, let (progress, step) = open.first { return current(step, progress) }
        guard !open.isEmpty else {
            let waiting = progresses.contains { !$0.unsettledSteps.isEmpty }
            let names = progresses.map { "“\($0.playbook.title)”" }.joined(separator: ", ")
            return [[.text(waiting ? "No step is open: the rest wait for approval." : "All steps of \(names) are done or skipped.")]]
        }
        var lines: [[Span]] = [[.text("\(open.count) steps are open now:")]]
        for (progress, step) in open { lines.append(brief(step, progress)) }
        return lines
    }

    /// `• “Suspend the account” — owner responder: @ava, due 14:30 UTC · /incident step INC-7 done suspend-account`.
    func brief(_ step: PlaybookStep, _ progress: PlaybookProgress) -> [Span] {
        var line: [Span] = [.text("• "), .bold(step.title), .text(" — ")] + owner(step, progress)
        line += due(step, progress)
        line += [.text(" · "), .code(doneCommand(step, progress))]
        if progress.status(of: step.id) == .awaitingApproval { line.append(.text(" (awaiting approval)")) }
        return line
    }

    /// One step in full: title, owner, due, instructions, what it needs, how to complete it.
    public func current(_ step: PlaybookStep, _ progress: PlaybookProgress) -> [[Span]] {
        let id = text.id(progress.incident)
        var head: [Span] = [.text("Step \(progress.position(of: step))/\(progress.steps.count): "), .bold(step.title), .text(" — ")]
        head += owner(step, progress) + due(step, progress)
        var lines: [[Span]] = [head]
        lines += step.instructions.split(separator: "\n", omittingEmptySubsequences: true).map { [.text(String($0))] }
        if !step.requires.isEmpty {
            lines.append([.text("Record: " + step.requires.map { "\($0.name) (\($0.description))" }.joined(separator: "; "))])
        }
        if let record = progress.record(of: step.id), record.status == .awaitingApproval {
            lines.append([.text("Marked done by "), .mention(record.by), .text("; waiting for a second person: "), .code("/incident step \(id) approve \(progress.reference(step))")])
            return lines
        }
        var how: [Span] = [.text("When done: "), .code(doneCommand(step, progress))]
        if step.twoPersonApproval { how.append(.text(" — then a second, different person approves it")) }
        if step.blocking { how.append(.text(" · blocks resolve")) }
        lines.append(how)
        return lines
    }

    func doneCommand(_ step: PlaybookStep, _ progress: PlaybookProgress) -> String {
        "/incident step \(text.id(progress.incident)) done \(progress.reference(step))\(Self.fieldHint(step))"
    }

    private func owner(_ step: PlaybookStep, _ progress: PlaybookProgress) -> [Span] {
        owners?.spans(step.owner, for: progress.incident) ?? [.text("owner \(step.owner)")]
    }

    private func due(_ step: PlaybookStep, _ progress: PlaybookProgress) -> [Span] {
        guard let due = progress.dueDate(of: step) else { return [] }
        return [.text(text.now > due ? ", \(DurationText.format(text.now.duration(since: due))) overdue (due \(text.time(due)))" : ", due \(text.time(due))")]
    }

    /// `3/7 steps, open: Preserve evidence (due 14:30 UTC), Suspend the account`.
    public func progressLine(_ progress: PlaybookProgress) -> String {
        let head = "\(progress.playbook.title): \(progress.settledCount)/\(progress.steps.count) steps"
        let open = progress.openSteps
        guard !open.isEmpty else { return head + (progress.unsettledSteps.isEmpty ? ", all settled" : ", waiting for approval") }
        let names = open.map { step in
            let waiting = progress.status(of: step.id) == .awaitingApproval ? " (awaiting approval)" : ""
            let due = progress.dueDate(of: step).map { ", due \(text.time($0))" } ?? ""
            return "\(step.title)\(waiting)\(due)"
        }
        return head + ", open: " + names.joined(separator: "; ")
    }

    /// Who completed, skipped or approved what, when, with which evidence (values only for readers
    /// allowed to see them), across every playbook the incident has had.
    public func history(_ incident: Incident, catalog: PlaybookCatalog, mayRead: Bool) -> [[Span]] {
        incident.steps.map { record in
            let playbook = (record.playbook ?? incident.playbook).flatMap(catalog.playbook(id:))
            let title = playbook?.steps.first { $0.id == record.step }?.title ?? record.step
            var line: [Span] = [.text("\(text.time(record.at)) “\(title)” ")]
            switch record.status {
            case .done, .awaitingApproval:
                line += [.text(record.status == .done ? "done by " : "marked done by "), .mention(record.by)]
            case .skipped:
                line += [.text("skipped by "), .mention(record.by)]
                if let reason = record.reason { line.append(.text(mayRead ? ": \(reason)" : ": (restricted)")) }
            }
            if !record.evidence.isEmpty {
                let shown = record.evidence.keys.sorted().map { mayRead ? "\($0)=\(record.evidence[$0]!)" : $0 }
                line.append(.text(" · " + shown.joined(separator: ", ")))
            }
            if let approver = record.approvedBy, let at = record.approvedAt {
                line += [.text(" · approved by "), .mention(approver), .text(" at \(text.time(at))")]
            }
            if record.status == .awaitingApproval { line.append(.text(" · awaiting approval")) }
            if let playbook, playbook.id != incident.playbook { line.append(.text(" · \(playbook.id)")) }
            return line
        }
    }

    /// ` report_number=… hash=…`, or nothing for a step that records no fields.
    public static func fieldHint(_ step: PlaybookStep) -> String {
        step.requires.map { " \($0.name)=…" }.joined()
    }
}
