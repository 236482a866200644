import Foundation

/// How playbook steps read in chat: the step to do now, the progress line, the history.
public struct StepText: Sendable {
    let text: IncidentText

    public init(text: IncidentText) {
        self.text = text
    }

    /// The lines posted when a playbook is attached: its name and the first step.
    func attached(_ progress: PlaybookProgress) -> [[Span]] {
        var lines: [[Span]] = [[.text("Playbook: "), .bold(progress.playbook.title)]]
        if let legal = progress.playbook.legal, let due = progress.legalDueDate {
            lines.append([.text("Legal clock: \(legal.rule) (\(legal.citation)), due \(text.time(due))")])
        }
        return lines + next(progress)
    }

    /// The step to do now with its instructions, or that every step is settled.
    func next(_ progress: PlaybookProgress) -> [[Span]] {
        guard let step = progress.current else {
            return [[.text("All \(progress.steps.count) steps of “\(progress.playbook.title)” are done or skipped.")]]
        }
        return current(step, progress)
    }

    /// One step in full: title, owner, due, instructions, what it needs, how to complete it.
    public func current(_ step: PlaybookStep, _ progress: PlaybookProgress) -> [[Span]] {
        let id = text.id(progress.incident)
        var head: [Span] = [.text("Step \(progress.position(of: step))/\(progress.steps.count): "), .bold(step.title), .text(" — owner \(step.owner)")]
        if let due = progress.dueDate(of: step) {
            head.append(.text(text.now > due ? ", \(DurationText.format(text.now.duration(since: due))) overdue (due \(text.time(due)))" : ", due \(text.time(due))"))
        }
        var lines: [[Span]] = [head]
        lines += step.instructions.split(separator: "\n", omittingEmptySubsequences: true).map { [.text(String($0))] }
        if !step.requires.isEmpty {
            lines.append([.text("Record: " + step.requires.map { "\($0.name) (\($0.description))" }.joined(separator: "; "))])
        }
        if let record = progress.record(of: step.id), record.status == .awaitingApproval {
            lines.append([.text("Marked done by "), .mention(record.by), .text("; waiting for a second person: "), .code("/incident step \(id) approve \(step.id)")])
            return lines
        }
        var how: [Span] = [.text("When done: "), .code("/incident step \(id) done\(Self.fieldHint(step))")]
        if step.twoPersonApproval { how.append(.text(" — then a second, different person approves it")) }
        if step.blocking { how.append(.text(" · blocks resolve")) }
        lines.append(how)
        return lines
    }

    /// `3/7 steps, next: Preserve evidence, due 14:30 UTC`.
    public func progressLine(_ progress: PlaybookProgress) -> String {
        let head = "\(progress.playbook.title): \(progress.settledCount)/\(progress.steps.count) steps"
        guard let step = progress.current else { return head + ", all settled" }
        let due = progress.dueDate(of: step).map { ", due \(text.time($0))" } ?? ""
        let waiting = progress.status(of: step.id) == .awaitingApproval ? " (awaiting approval)" : ""
        return head + ", next: \(step.title)\(waiting)\(due)"
    }

    /// Who completed, skipped or approved what, when, with which evidence (values only for readers
    /// allowed to see them).
    public func history(_ progress: PlaybookProgress, mayRead: Bool) -> [[Span]] {
        progress.incident.steps.map { record in
            let title = progress.playbook.steps.first { $0.id == record.step }?.title ?? record.step
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
            return line
        }
    }

    /// ` report_number=… hash=…`, or nothing for a step that records no fields.
    public static func fieldHint(_ step: PlaybookStep) -> String {
        step.requires.map { " \($0.name)=…" }.joined()
    }
}
