import Foundation

/// How clocks read in `status` and `list`: time left, or how far overdue, or how they ended.
public struct ClockText: Sendable {
    let text: IncidentText

    public init(text: IncidentText) {
        self.text = text
    }

    /// `ack` / `legal: NCMEC … (18 U.S.C. …)` / `step “Freeze payouts”`.
    public func label(_ row: ClockRow, playbooks: [PlaybookProgress]) -> String {
        switch row.kind {
        case .ack: return "ack"
        case .resolve: return "resolve"
        case .legal: return "legal: \(row.rule ?? "deadline")"
        case .escalation: return "next escalation"
        case .step:
            let stepID = String(row.name.dropFirst("step:".count))
            return "step “\(playbooks.step(forClock: row)?.step.title ?? stepID)”"
        case .reminder: return "playbook choice reminder"
        case .release: return "preservation release \(row.rule.map { "(\($0))" } ?? "")"
        }
    }

    /// `ack due 21:45 UTC (in 3 min)`, `ack 5 min overdue (due 21:45 UTC)`, `ack met 21:43 UTC`…
    public func describe(_ row: ClockRow, playbooks: [PlaybookProgress]) -> String {
        let name = label(row, playbooks: playbooks)
        switch row.state {
        case .running:
            if row.kind == .escalation { return "\(name) \(text.time(row.dueAt)) if unacknowledged" }
            if text.now > row.dueAt {
                return "\(name) \(DurationText.format(text.now.duration(since: row.dueAt))) overdue (due \(text.time(row.dueAt)))"
            }
            return "\(name) due \(text.time(row.dueAt)) (in \(DurationText.format(row.dueAt.duration(since: text.now))))"
        case .met:
            return "\(name) met \(row.stoppedAt.map(text.time) ?? "")"
        case .missed:
            let late = row.stoppedAt.map { " (\(DurationText.format($0.duration(since: row.dueAt))) late)" } ?? ""
            return "\(name) missed\(late)"
        case .cancelled:
            return "\(name) cancelled"
        }
    }
}
