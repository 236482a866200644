import Foundation

/// Where an incident stands in one of its playbooks: which steps apply, which are settled, which
/// are open now. Derived from the playbook and the incident's step records; never stored.
///
/// Steps form a graph: a step opens when its playbook attaches, or, if it names steps in
/// `after`, when the last of those is settled. Several steps may be open at once.
public struct PlaybookProgress: Sendable {
    public let playbook: Playbook
    public let incident: Incident
    /// When the playbook was attached to the incident.
    public let attachedAt: Date
    /// The incident's first playbook: its clocks keep the short names (`step:<id>`, `legal`).
    public let isPrimary: Bool
    /// The steps whose `when` holds for this incident, in playbook order.
    public let steps: [PlaybookStep]

    public init(playbook: Playbook, incident: Incident, attachedAt: Date? = nil, isPrimary: Bool = true) {
        self.playbook = playbook
        self.incident = incident
        self.attachedAt = attachedAt ?? incident.playbooks.first { $0.id == playbook.id }?.attachedAt ?? incident.openedAt
        self.isPrimary = isPrimary
        steps = playbook.steps.filter { $0.applies(to: incident) }
    }

    /// The latest record of `step` in this playbook, if anything happened to it. Records without
    /// a playbook (written before incidents had several) belong to the primary one.
    public func record(of step: String) -> StepRecord? {
        incident.steps.last { $0.step == step && ($0.playbook == playbook.id || ($0.playbook == nil && isPrimary)) }
    }

    public func status(of step: String) -> StepStatus? { record(of: step)?.status }

    /// Done or skipped: the walk has moved past it.
    public func isSettled(_ step: PlaybookStep) -> Bool {
        record(of: step.id)?.settledAt != nil
    }

    /// The applicable steps `step` waits for. A step that does not apply to this incident (its
    /// `when` fails) is not waited for.
    public func dependencies(of step: PlaybookStep) -> [PlaybookStep] {
        steps.filter { step.after.contains($0.id) }
    }

    /// When `step` opened: when its playbook attached, or when the last step it waits for was
    /// settled; `nil` while it still waits.
    public func openedAt(_ step: PlaybookStep) -> Date? {
        var latest = attachedAt
        for dependency in dependencies(of: step) {
            guard let settled = record(of: dependency.id)?.settledAt else { return nil }
            latest = max(latest, settled)
        }
        return latest
    }

    /// Open now: not settled, and nothing it waits for is unsettled (a step marked done and
    /// waiting for approval is still open).
    public func isOpen(_ step: PlaybookStep) -> Bool {
        !isSettled(step) && openedAt(step) != nil
    }

    /// Every step open now, in playbook order.
    public var openSteps: [PlaybookStep] { steps.filter(isOpen) }

    /// Steps not settled, open or still waiting: what a resolve leaves as follow-ups.
    public var unsettledSteps: [PlaybookStep] { steps.filter { !isSettled($0) } }

    /// The first open step (the one shown when only one can be).
    public var current: PlaybookStep? { openSteps.first }

    /// 1-based position of `step` among the applicable steps.
    public func position(of step: PlaybookStep) -> Int { (steps.firstIndex { $0.id == step.id } ?? 0) + 1 }

    public var settledCount: Int { steps.filter(isSettled).count }

    /// Blocking steps not done (a skipped blocking step still blocks).
    public var openBlockingSteps: [PlaybookStep] {
        steps.filter { $0.blocking && record(of: $0.id).map { $0.status == .done } != true }
    }

    /// When `step`'s deadline falls, if it has one; for a deadline from the step's own start,
    /// `nil` until the step opens.
    public func dueDate(of step: PlaybookStep) -> Date? {
        guard let due = step.due, let start = clockStart(of: step) else { return nil }
        return start.adding(due)
    }

    /// Where `step`'s deadline runs from, once it is known.
    public func clockStart(of step: PlaybookStep) -> Date? {
        step.dueFrom == .start ? openedAt(step) : start(step.dueFrom)
    }

    /// When the legal clock falls due, if the playbook has one.
    public var legalDueDate: Date? {
        playbook.legal.map { start($0.from).adding($0.due) }
    }

    func start(_ from: ClockStart) -> Date {
        switch from {
        case .known: incident.knownAt
        case .opened: incident.openedAt
        case .start: attachedAt
        }
    }

    /// The clock row of `step`'s deadline, running, if it has one that has started.
    public func clock(of step: PlaybookStep) -> ClockRow? {
        guard let start = clockStart(of: step), let due = dueDate(of: step) else { return nil }
        return ClockRow(incident: incident.number, name: clockName(step), kind: .step, startedAt: start, dueAt: due)
    }

    /// The clock rows attaching this playbook starts: every applicable step whose deadline is
    /// already fixed (from `known`, `opened`, or the start of a step that opens at once), and
    /// the legal clock. Steps that wait start their clocks when they open.
    public func startingClocks() -> [ClockRow] {
        var rows = steps.compactMap(clock(of:))
        if let legal = legalClock { rows.append(legal) }
        return rows
    }

    /// The playbook's legal clock, running, named `legal` for the primary playbook.
    public var legalClock: ClockRow? {
        guard let legal = playbook.legal, let due = legalDueDate else { return nil }
        return ClockRow(
            incident: incident.number, name: isPrimary ? ClockPlanner.legalName : "\(ClockPlanner.legalName):\(playbook.id)",
            kind: .legal, startedAt: start(legal.from), dueAt: due, rule: "\(legal.rule) (\(legal.citation))")
    }

    /// The step clocks that start because `self` opened steps that `before` kept waiting.
    public func clocksOpened(since before: PlaybookProgress) -> [ClockRow] {
        newlyOpened(since: before).compactMap { $0.dueFrom == .start ? clock(of: $0) : nil }
    }

    /// Steps open now that were waiting in `before`.
    public func newlyOpened(since before: PlaybookProgress) -> [PlaybookStep] {
        openSteps.filter { step in before.openedAt(step) == nil }
    }

    /// The clock rows of the step clocks and legal clock, all cancelled at `at` (playbook switched).
    public func cancelledClocks(at: Date) -> [ClockRow] {
        startingClocks().map { $0.cancelled(at: at) }
    }

    /// `step:freeze-payouts` in the primary playbook, `step:csam/report-ncmec` in another.
    public func clockName(_ step: PlaybookStep) -> String {
        isPrimary ? "step:\(step.id)" : "step:\(playbook.id)/\(step.id)"
    }

    /// `freeze-payouts`, or `csam/report-ncmec` when the incident has several playbooks: how a
    /// command names the step.
    public func reference(_ step: PlaybookStep) -> String {
        isPrimary ? step.id : "\(playbook.id)/\(step.id)"
    }
}
