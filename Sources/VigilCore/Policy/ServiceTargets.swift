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
    /// When it falls due: `known_at` plus the target.
    public var due: Date
    /// When it was met (acknowledged or resolved), if it was.
    public var metAt: Date?

    /// Whether it was (or, still running, is now) past due.
    public func isBreached(now: Date) -> Bool {
        (metAt ?? now) > due
    }

    /// How long it took from `known_at` to meeting it.
    public func elapsed(from start: Date) -> Duration? {
        metAt.map { .milliseconds(Int64(($0.timeIntervalSince(start) * 1000).rounded())) }
    }
}

/// The ack and resolve targets of an incident's severity, measured from when the team learned of it.
///
/// These are the facts shown in replies and `list breached`; the SLA scheduler (clocks as rows)
/// builds on the same targets.
public enum ServiceTargets {
    public static func status(of incident: Incident, kind: TargetKind, policy: Policy) -> TargetStatus? {
        guard let severity = policy.severity(named: incident.severity) else { return nil }
        switch kind {
        case .ack:
            guard let target = severity.ack else { return nil }
            // A resolution without an explicit ack still ends the wait for a human.
            let met = incident.acknowledgedAt ?? incident.resolvedAt
            return TargetStatus(kind: .ack, target: target, due: incident.knownAt.adding(target), metAt: met)
        case .resolve:
            guard let target = severity.resolve else { return nil }
            return TargetStatus(kind: .resolve, target: target, due: incident.knownAt.adding(target), metAt: incident.resolvedAt)
        }
    }

    /// The targets that are breached at `now` (met late, or still running past due).
    public static func breaches(of incident: Incident, policy: Policy, now: Date) -> [TargetStatus] {
        [TargetKind.ack, .resolve].compactMap { status(of: incident, kind: $0, policy: policy) }
            .filter { $0.isBreached(now: now) }
    }

    /// Whether a running (unmet) target is past due at `now`.
    public static func isOverdue(_ incident: Incident, policy: Policy, now: Date) -> Bool {
        guard incident.state != .resolved else { return false }
        return [TargetKind.ack, .resolve].compactMap { status(of: incident, kind: $0, policy: policy) }
            .contains { $0.metAt == nil && now > $0.due }
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
