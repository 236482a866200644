import Foundation

/// Where an incident stands in its playbook: which steps apply, which are done, which is next.
/// Derived from the playbook and the incident's step records; never stored.
public struct PlaybookProgress: Sendable {
    public let playbook: Playbook
    public let incident: Incident
    /// The steps whose `when` holds for this incident, in playbook order.
    public let steps: [PlaybookStep]

    public init(playbook: Playbook, incident: Incident) {
        self.playbook = playbook
        self.incident = incident
        steps = playbook.steps.filter { $0.applies(to: incident) }
    }

    /// The latest record of `step`, if anything happened to it.
    public func record(of step: String) -> StepRecord? {
        incident.steps.last { $0.step == step }
    }

    public func status(of step: String) -> StepStatus? { record(of: step)?.status }

    /// Done or skipped: the walk has moved past it.
    public func isSettled(_ step: PlaybookStep) -> Bool {
        switch status(of: step.id) {
        case .done, .skipped: true
        case .awaitingApproval, nil: false
        }
    }

    /// The first applicable step not yet done or skipped.
    public var current: PlaybookStep? { steps.first { !isSettled($0) } }

    /// 1-based position of `step` among the applicable steps.
    public func position(of step: PlaybookStep) -> Int { (steps.firstIndex { $0.id == step.id } ?? 0) + 1 }

    public var settledCount: Int { steps.filter(isSettled).count }

    /// Blocking steps not done (a skipped blocking step still blocks).
    public var openBlockingSteps: [PlaybookStep] {
        steps.filter { $0.blocking && status(of: $0.id) != .done }
    }

    /// When `step`'s deadline falls, if it has one.
    public func dueDate(of step: PlaybookStep) -> Date? {
        step.due.map { start(step.dueFrom).adding($0) }
    }

    /// When the legal clock falls due, if the playbook has one.
    public var legalDueDate: Date? {
        playbook.legal.map { start($0.from).adding($0.due) }
    }

    func start(_ from: ClockStart) -> Date {
        from == .known ? incident.knownAt : incident.openedAt
    }

    /// The clock rows attaching this playbook starts: one per applicable step with a deadline,
    /// and the legal clock.
    public func startingClocks() -> [ClockRow] {
        var rows = steps.compactMap { step -> ClockRow? in
            guard let due = dueDate(of: step) else { return nil }
            return ClockRow(incident: incident.number, name: Self.clockName(step), kind: .step, startedAt: start(step.dueFrom), dueAt: due)
        }
        if let legal = playbook.legal, let due = legalDueDate {
            rows.append(ClockRow(
                incident: incident.number, name: "legal", kind: .legal, startedAt: start(legal.from), dueAt: due,
                rule: "\(legal.rule) (\(legal.citation))"))
        }
        return rows
    }

    /// The clock rows of the step clocks and legal clock, all cancelled at `at` (playbook switched).
    public func cancelledClocks(at: Date) -> [ClockRow] {
        startingClocks().map { row in
            var row = row
            row.state = .cancelled
            row.stoppedAt = at
            row.nextFireAt = nil
            return row
        }
    }

    /// `step:freeze-payouts`.
    public static func clockName(_ step: PlaybookStep) -> String { "step:\(step.id)" }
}
