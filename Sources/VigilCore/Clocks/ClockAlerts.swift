import Foundation

/// What firing one clock produces: the row re-armed (or finished), the incident's new event, the
/// alert for on-call. The scheduler commits all of it in one transaction.
public struct ClockFiring: Sendable, Equatable {
    public var row: ClockRow
    public var incident: Incident
    public var expectedSequence: Int
    public var events: [IncidentEvent]
    public var outbox: [OutboxItem]
}

/// Composes warnings, breach alerts and automatic escalations from clock rows. Pure.
public enum ClockAlerts {
    /// The author of events Vigil itself records.
    public static let vigil = UserRef(id: "vigil", name: "vigil")

    /// A firing is "late" when it happens this long after it was due (Vigil was down); a running
    /// scheduler fires within a fraction of a second.
    public static let lateThreshold: TimeInterval = CatchUp.grace

    /// Fires `row` at `now`; `nil` when it has nothing to do (not running, nothing scheduled).
    public static func fire(_ row: ClockRow, incident: Incident, catalog: PlaybookCatalog, policy: Policy, now: Date) -> ClockFiring? {
        guard row.state == .running, let scheduled = row.nextFireAt else { return nil }
        if row.kind == .escalation {
            // The new level's people are invited into the incident's own channel, if it has one.
            var firing = escalate(row, incident: incident, policy: policy, now: now)
            firing.outbox += Rooms.rows(before: incident, after: firing.incident, policy: policy, catalog: catalog, now: now)
            return firing
        }
        if row.kind == .reminder { return PlaybookChoice.fire(row, incident: incident, catalog: catalog, policy: policy, now: now) }
        if row.kind == .release { return PreservationLedger.fire(row, incident: incident, policy: policy, now: now) }
        var draft = AlertDraft(row: row, incident: incident, policy: policy, now: now, scheduled: scheduled)
        let playbooks = catalog.progresses(of: incident)
        let thresholds = policy.severity(named: incident.severity)?.warn ?? []
        if row.alertsSent == 0, now < row.dueAt, row.warningsSent < thresholds.count {
            draft.warn(thresholds: thresholds, playbooks: playbooks)
        } else {
            // A warning whose moment passed while the deadline passed too is noise: the breach
            // supersedes it (one alert, not a warning-then-breach burst).
            draft.breach(playbooks: playbooks)
        }
        return draft.result
    }

    /// The people who must act now: the owner and whoever the incident's level notifies (an
    /// on-call schedule's current person, or named users).
    public static func actNow(_ incident: Incident, policy: Policy, now: Date) -> [UserRef] {
        var people: [UserRef] = incident.owner.map { [$0] } ?? []
        for person in levelPeople(incident.level, policy: policy, now: now)
        where !people.contains(where: { $0.isSamePerson(as: person) }) {
            people.append(person)
        }
        return people
    }

    /// Whom escalation level `level` (1-based; past the top, the top) notifies at `now`: its
    /// named users, and each of its schedules' person on call.
    public static func levelPeople(_ level: Int, policy: Policy, now: Date) -> [UserRef] {
        let levels = policy.escalationLevels
        let entry = levels.indices.contains(level - 1) ? levels[level - 1] : levels.last
        var people: [UserRef] = []
        for target in entry?.notify ?? [] {
            let person: UserRef?
            switch target {
            case let .user(user): person = user
            case let .schedule(name): person = policy.schedule(named: name)?.shift(at: now)?.person
            }
            if let person, !people.contains(where: { $0.isSamePerson(as: person) }) { people.append(person) }
        }
        return people
    }

    /// `On call: @ava @dee · act: /incident ack INC-42`.
    static func actLine(_ incident: Incident, policy: Policy, now: Date, command: String) -> [Span] {
        let people = actNow(incident, policy: policy, now: now)
        var line: [Span] = [.text(people.isEmpty ? "Nobody is on call for this level" : "Act now: ")]
        for (index, person) in people.enumerated() {
            if index > 0 { line.append(.text(" ")) }
            line.append(.mention(person))
        }
        line += [.text(" · "), .code(command)]
        return line
    }
}
