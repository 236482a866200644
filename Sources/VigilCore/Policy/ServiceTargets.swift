import Foundation

/// Which service target a time is measured against.
public enum TargetKind: String, Sendable, Equatable {
    case ack, resolve
}

/// How an incident stands against one of its severity's targets at some moment.
public struct TargetStatus: Sendable, Equatable {
    public var kind: TargetKind
    /// The target duration (e.g. 5 min to acknowledge).
    public var target: Duration
    /// When it falls due: the start of the response cycle plus the target.
    public var due: Date
    /// When it was met (acknowledged or resolved), if it was.
    public var metAt: Date?

    /// Whether it was (or, still running, is now) past due.
    public func isBreached(now: Date) -> Bool {
        (metAt ?? now) > due
    }

    /// How long it took from `start` (the response cycle's start) to meeting it.
    public func elapsed(from start: Date) -> Duration? {
        metAt.map { .milliseconds(Int64(($0.timeIntervalSince(start) * 1000).rounded())) }
    }
}

/// The ack and resolve targets of an incident's severity, measured from the start of its response
/// cycle (``Incident/cycleStartedAt``: when the team learned of it, or its last reopen).
///
/// These are the facts stated in replies (time to acknowledge, time to resolve); the clock rows
/// the scheduler fires are planned from the same targets by ``ClockPlanner``.
public enum ServiceTargets {
    public static func status(of incident: Incident, kind: TargetKind, policy: Policy) -> TargetStatus? {
        guard let severity = policy.severity(named: incident.severity) else { return nil }
        switch kind {
        case .ack:
            guard let target = severity.ack else { return nil }
            // A resolution without an explicit ack still ends the wait for a human.
            let met = incident.acknowledgedAt ?? incident.resolvedAt
            return TargetStatus(kind: .ack, target: target, due: incident.cycleStartedAt.adding(target), metAt: met)
        case .resolve:
            guard let target = severity.resolve else { return nil }
            return TargetStatus(kind: .resolve, target: target, due: incident.cycleStartedAt.adding(target), metAt: incident.resolvedAt)
        }
    }
}

extension Date {
    /// This date moved by a Swift duration.
    public func adding(_ duration: Duration) -> Date {
        let (seconds, attoseconds) = duration.components
        return addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// The duration from `earlier` to this date, to the millisecond.
    public func duration(since earlier: Date) -> Duration {
        .milliseconds(Int64((timeIntervalSince(earlier) * 1000).rounded()))
    }
}
