import Foundation

/// The kinds of clock an incident can run.
public enum ClockKind: String, Sendable, Hashable, CaseIterable {
    case ack, resolve, step, legal
    /// Not a deadline but the escalation policy's timer: when it fires the incident moves up a level.
    case escalation
    /// Not a deadline but a nudge that repeats until its condition ends: a playbook not yet
    /// chosen (``PlaybookChoice``).
    case reminder
    /// Not a deadline but the reminder, ahead of a preservation ledger entry's release date,
    /// that legal may release it (or should hold it).
    case release
}

/// Whether a clock is still running.
public enum ClockState: String, Sendable, Hashable, CaseIterable {
    case running
    /// Stopped before (or at) its deadline.
    case met
    /// Stopped after its deadline.
    case missed
    /// No longer applies (its step was skipped, its playbook switched, its incident reopened).
    case cancelled
}

/// One deadline of one incident, as a row the SLA scheduler reads. Clocks are data: restarts
/// and replicas lose nothing because the rows, not timers in memory, are the truth.
public struct ClockRow: Sendable, Hashable {
    public var incident: Int
    /// Unique per incident: `ack`, `resolve`, `step:freeze-payouts`, `legal`.
    public var name: String
    public var kind: ClockKind
    public var startedAt: Date
    public var dueAt: Date
    public var state: ClockState
    /// For a legal clock: "NCMEC CyberTipline report (18 U.S.C. §2258A(a))".
    public var rule: String?
    public var stoppedAt: Date?
    /// When the scheduler next has work for this clock (a warning, the breach, a repeat), or
    /// `nil` when it has none; the scheduler sleeps until the earliest of these.
    public var nextFireAt: Date?
    /// Warnings already sent (an index into the severity's `warn` thresholds).
    public var warningsSent: Int
    /// Breach alerts already sent (the first, then repeats).
    public var alertsSent: Int

    public init(
        incident: Int, name: String, kind: ClockKind, startedAt: Date, dueAt: Date, state: ClockState = .running,
        rule: String? = nil, stoppedAt: Date? = nil, nextFireAt: Date? = nil, warningsSent: Int = 0, alertsSent: Int = 0
    ) {
        self.incident = incident
        self.name = name
        self.kind = kind
        self.startedAt = startedAt
        self.dueAt = dueAt
        self.state = state
        self.rule = rule
        self.stoppedAt = stoppedAt
        self.nextFireAt = nextFireAt
        self.warningsSent = warningsSent
        self.alertsSent = alertsSent
    }

    /// This clock no longer applies from `at` (its step skipped, its playbook switched or chosen).
    public func cancelled(at: Date) -> ClockRow {
        var row = self
        row.state = .cancelled
        row.stoppedAt = at
        row.nextFireAt = nil
        return row
    }

    /// This clock stopped at `at`: met if on time, missed if late.
    public func stopped(at: Date) -> ClockRow {
        var row = self
        row.state = at <= dueAt ? .met : .missed
        row.stoppedAt = at
        row.nextFireAt = nil
        return row
    }
}
