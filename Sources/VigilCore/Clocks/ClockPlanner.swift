import Foundation

/// Which clocks an incident runs and when the scheduler next has work for each. Pure: given the
/// incident, the policy and `now`, it returns rows; the store keeps them and the scheduler fires
/// them.
public enum ClockPlanner {
    public static let ackName = "ack"
    public static let resolveName = "resolve"
    public static let legalName = "legal"
    public static let escalationName = "escalation"

    /// The ack and resolve clocks of the incident's severity, from the start of its response cycle
    /// (when the team learned of it, or its last reopen).
    public static func targetClocks(for incident: Incident, policy: Policy) -> [ClockRow] {
        guard let severity = policy.severity(named: incident.severity) else { return [] }
        var rows: [ClockRow] = []
        let start = incident.cycleStartedAt
        if let ack = severity.ack {
            rows.append(ClockRow(incident: incident.number, name: ackName, kind: .ack, startedAt: start, dueAt: start.adding(ack)))
        }
        if let resolve = severity.resolve {
            rows.append(ClockRow(
                incident: incident.number, name: resolveName, kind: .resolve, startedAt: start,
                dueAt: start.adding(resolve)))
        }
        return rows.map { schedule($0, policy: policy, incident: incident) }
    }

    /// The category's legal clock, for an incident whose playbook carries none of its own.
    public static func categoryLegalClock(for incident: Incident, policy: Policy, playbook: Playbook?) -> ClockRow? {
        guard playbook?.legal == nil, let legal = policy.category(named: incident.category)?.legal else { return nil }
        let start = legal.from == .known ? incident.knownAt : incident.openedAt
        return schedule(
            ClockRow(incident: incident.number, name: legalName, kind: .legal, startedAt: start, dueAt: start.adding(legal.due),
                     rule: "\(legal.rule) (\(legal.citation))"),
            policy: policy, incident: incident)
    }

    /// The timer that moves an unacknowledged incident to its next escalation level, counted
    /// from `reachedAt` (when it reached its current level); `nil` when nothing follows.
    public static func escalationClock(for incident: Incident, policy: Policy, reachedAt: Date, repeatsDone: Int = 0) -> ClockRow? {
        guard incident.state == .open else { return nil }
        let levels = policy.escalationLevels
        let after: Duration?
        if incident.level < levels.count {
            after = levels[incident.level].after
        } else if repeatsDone < policy.escalationRepeats {
            // At the top: re-notify it on its own interval, a bounded number of times.
            after = levels.last?.after
        } else {
            after = nil
        }
        guard let after else { return nil }
        let due = reachedAt.adding(after)
        return ClockRow(
            incident: incident.number, name: escalationName, kind: .escalation, startedAt: reachedAt, dueAt: due,
            nextFireAt: due, alertsSent: repeatsDone)
    }

    /// Stamps `nextFireAt` from the severity's warning thresholds and repeat interval.
    ///
    /// - Parameter now: when the row has just fired: a repeat is then the first regular one
    ///   (`dueAt + k × repeat`) strictly after `now`, so a clock that missed many repeats
    ///   resumes its schedule instead of replaying them. Without it (re-planning on a command),
    ///   the repeat after the alerts already sent, which may be due at once.
    public static func schedule(_ row: ClockRow, policy: Policy, incident: Incident, after now: Date? = nil) -> ClockRow {
        var row = row
        guard row.state == .running else {
            row.nextFireAt = nil
            return row
        }
        guard row.kind != .escalation else {
            row.nextFireAt = row.dueAt
            return row
        }
        let severity = policy.severity(named: incident.severity)
        let thresholds = severity?.warn ?? []
        let span = row.dueAt.timeIntervalSince(row.startedAt)
        if row.alertsSent == 0, row.warningsSent < thresholds.count, span > 0 {
            row.nextFireAt = row.startedAt.addingTimeInterval(span * thresholds[row.warningsSent])
        } else if row.alertsSent == 0 {
            row.nextFireAt = row.dueAt
        } else if let interval = severity?.repeat {
            if let now {
                row.nextFireAt = CatchUp.nextRepeat(dueAt: row.dueAt, every: interval, after: now)
            } else {
                // In floating point: a count read back from a row must not be able to trap.
                row.nextFireAt = row.dueAt.addingTimeInterval(interval.timeInterval * Double(row.alertsSent))
            }
        } else {
            row.nextFireAt = nil
        }
        return row
    }

    /// The running ack and resolve clocks re-timed for the incident's (new) severity, keeping the
    /// warnings and alerts already sent; a target now in the past fires at once.
    public static func retimed(_ rows: [ClockRow], for incident: Incident, policy: Policy) -> [ClockRow] {
        let fresh = targetClocks(for: incident, policy: policy)
        return rows.compactMap { row -> ClockRow? in
            guard row.state == .running, row.kind == .ack || row.kind == .resolve else { return nil }
            guard var updated = fresh.first(where: { $0.name == row.name }) else {
                // The new severity has no such target: the clock no longer applies.
                var cancelled = row
                cancelled.state = .cancelled
                cancelled.nextFireAt = nil
                return cancelled
            }
            updated.warningsSent = row.warningsSent
            updated.alertsSent = row.alertsSent
            return schedule(updated, policy: policy, incident: incident)
        }
    }

    /// `rows` named `name` that are running, stopped at `at` (met or missed).
    public static func stop(_ name: String, in rows: [ClockRow], at: Date) -> [ClockRow] {
        rows.filter { $0.name == name && $0.state == .running }.map { $0.stopped(at: at) }
    }

    /// Running rows of the given kinds, cancelled at `at`.
    public static func cancel(kinds: Set<ClockKind>, in rows: [ClockRow], at: Date) -> [ClockRow] {
        rows.filter { kinds.contains($0.kind) && $0.state == .running }.map { $0.cancelled(at: at) }
    }
}
