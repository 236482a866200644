import Foundation

/// Who a step's `owner` is right now, as people to mention: config `owners:` first; without an
/// entry, `responder` and `oncall` are the people who must act on the incident now (its owner
/// and its level's on-call), and `lead` or `legal` everyone config gives that role.
public struct StepOwners: Sendable {
    let policy: Policy
    let now: Date

    public init(policy: Policy, now: Date) {
        self.policy = policy
        self.now = now
    }

    /// The people behind `owner` for `incident`, each once, as accounts on the incident's platform
    /// where config links one (a Slack post cannot mention a Mattermost account).
    public func people(_ owner: String, for incident: Incident) -> [UserRef] {
        let targets: [OwnerTarget]
        if let mapped = policy.owners[owner] {
            targets = mapped
        } else if owner == "responder" || owner == "oncall" {
            return ClockAlerts.actNow(incident, policy: policy, now: now)
        } else if let role = Role(rawValue: owner), Role.assignable.contains(role) {
            targets = [.role(role)]
        } else {
            targets = []
        }
        var people: [UserRef] = []
        for target in targets {
            for person in resolve(target, incident: incident) where !people.contains(where: { policy.people.mayBeSamePerson($0, person) }) {
                people.append(person)
            }
        }
        return people
    }

    private func resolve(_ target: OwnerTarget, incident: Incident) -> [UserRef] {
        switch target {
        case let .schedule(name):
            return policy.schedule(named: name)?.shift(at: now).map { [$0.person] } ?? []
        case let .role(role):
            return (policy.roles.members[role] ?? []).map { reachable($0, on: incident.platform) }
        case let .user(user):
            return [user.identity.map { reachable($0, on: incident.platform, name: user.name) } ?? user]
        }
    }

    /// The person's account on `platform` if `people:` links one, else the identity as given.
    private func reachable(_ identity: Identity, on platform: String, name: String? = nil) -> UserRef {
        let person = policy.people.person(of: identity)
        let account = person?.accounts.first { $0.platform == platform } ?? identity
        return UserRef(id: account.id, name: name ?? person?.name ?? account.id, platform: account.platform)
    }

    /// `owner legal: @ava @dee`, or `owner legal` when nobody is behind it.
    public func spans(_ owner: String, for incident: Incident) -> [Span] {
        let people = people(owner, for: incident)
        var spans: [Span] = [.text("owner \(owner)")]
        for (index, person) in people.enumerated() {
            spans.append(.text(index == 0 ? ": " : " "))
            spans.append(.mention(person))
        }
        return spans
    }
}

extension Array where Element == PlaybookProgress {
    /// The step and its playbook whose clock is named `name` (`step:…`), or, for a legal clock,
    /// the step that meets it.
    public func step(forClock row: ClockRow) -> (progress: PlaybookProgress, step: PlaybookStep)? {
        for progress in self {
            switch row.kind {
            case .step:
                if let step = progress.steps.first(where: { progress.clockName($0) == row.name }) { return (progress, step) }
            case .legal:
                guard let legal = progress.legalClock, legal.rule == row.rule else { continue }
                if let step = progress.steps.first(where: \.completesLegal) { return (progress, step) }
            case .ack, .resolve, .escalation, .reminder, .release:
                return nil
            }
        }
        return nil
    }
}
