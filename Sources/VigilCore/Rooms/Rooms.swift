import Foundation

/// Which incidents get a channel of their own, and the outbox rows that make and fill it.
///
/// Pure: a command's outcome (or a scheduler firing) is compared before and after, and a
/// ``RoomRequest`` row is written when the incident comes to need a channel, needs a more
/// private one (it became restricted), or has someone new to invite (a new owner, a new level's
/// on-call, a playbook's step owners). The delivery service makes the channel once and invites
/// again on later rows.
public enum Rooms {
    /// What a rule gives one incident: the channel's visibility, platform and archive delay.
    struct Want: Equatable {
        var visibility: RoomVisibility
        var platform: String
        var archiveAfter: Duration
    }

    /// The first rule that holds for `incident`, as it applies: private for a restricted incident
    /// whatever the rule says. `nil` when no rule holds or no platform can make channels.
    static func want(_ incident: Incident, policy: Policy, catalog: PlaybookCatalog) -> Want? {
        let rooms = policy.rooms
        guard !rooms.isEmpty else { return nil }
        // A rule may name a type by any of its words (`csam` or `cse`).
        let types = incident.playbooks.flatMap { catalog.playbook(id: $0.id)?.typeWords ?? [] }.map { $0.lowercased() }
        guard let rule = rooms.rules.first(where: { $0.when.holds(for: incident, types: types) }),
            let platform = rule.platform ?? rooms.defaultPlatform
        else { return nil }
        return Want(visibility: incident.restricted ? .private : rule.visibility, platform: platform, archiveAfter: rule.archiveAfter)
    }

    /// The outbox rows the change from `before` (`nil` for a new incident) to `after` calls for:
    /// none, or one ``RoomRequest``.
    public static func rows(
        before: Incident?, after: Incident, policy: Policy, catalog: PlaybookCatalog, now: Date
    ) -> [OutboxItem] {
        guard after.state != .resolved, let want = want(after, policy: policy, catalog: catalog) else { return [] }
        let people = invitees(after, platform: want.platform, policy: policy, catalog: catalog, now: now)
        if let before, before.state != .resolved, want == Rooms.want(before, policy: policy, catalog: catalog) {
            // The channel is as it was: a row only when someone new belongs in it.
            let earlier = Set(invitees(before, platform: want.platform, policy: policy, catalog: catalog, now: now))
            guard people.contains(where: { !earlier.contains($0) }) else { return [] }
        }
        let request = RoomRequest(
            platform: want.platform, name: policy.displayID(after.number).lowercased(), visibility: want.visibility, invite: people,
            archiveAfter: want.archiveAfter, steps: steps(after, policy: policy, catalog: catalog, now: now))
        return [
            OutboxItem(target: .room(request), incident: after.number, message: brief(after, policy: policy, now: now), priority: .other)
        ]
    }

    /// Who belongs in the channel, as accounts on `platform`: the owner, the reporter, the current
    /// level's people and the owners of every step not yet settled. For a restricted incident,
    /// only those cleared for it: anyone in a channel reads all of it.
    static func invitees(_ incident: Incident, platform: String, policy: Policy, catalog: PlaybookCatalog, now: Date) -> [Identity] {
        var people: [UserRef] = []
        if let owner = incident.owner { people.append(owner) }
        people.append(incident.reporter)
        people += ClockAlerts.levelPeople(incident.level, policy: policy, now: now)
        let owners = StepOwners(policy: policy, now: now)
        for progress in catalog.progresses(of: incident) {
            for step in progress.unsettledSteps { people += owners.people(step.owner, for: incident) }
        }
        var accounts: [Identity] = []
        for person in people where !incident.restricted || policy.mayReadRestricted(person) {
            for identity in policy.people.accounts(of: person).sorted() where identity.platform == platform {
                if !accounts.contains(identity) { accounts.append(identity) }
            }
        }
        return accounts
    }

    /// The first post in a new channel. The title is shown: a restricted incident's channel is
    /// private and holds only cleared people.
    static func brief(_ incident: Incident, policy: Policy, now: Date) -> Message {
        let text = IncidentText(policy: policy, now: now)
        let id = text.id(incident)
        var lines: [[Span]] = [[.bold(id), .text(" · \(text.classification(incident)) — \(incident.title)")]]
        var people: [Span] = [.text("Level \(incident.level) (\(policy.levelName(incident.level))) · owner ")]
        people.append(incident.owner.map(Span.mention) ?? .text("nobody yet"))
        people += [.text(" · reporter "), .mention(incident.reporter)]
        lines.append(people)
        var times = "Opened \(text.time(incident.openedAt))"
        if incident.knownAt != incident.openedAt { times += " · known since \(text.time(incident.knownAt))" }
        lines.append([.text(times)])
        if incident.restricted {
            lines.append([.text("Restricted: only people cleared for restricted incidents were invited. Invite no one else.")])
        }
        lines.append([
            .text("Commands typed here need no ID: "), .code("/incident ack"), .text(", "), .code("/incident note …"), .text(", "),
            .code("/incident step done …"), .text(", "), .code("/incident status"),
        ])
        return Message(lines: lines, actions: IncidentActions.lifecycle(incident, policy: policy))
    }

    /// The steps open now, to pin; `nil` when no playbook is attached.
    static func steps(_ incident: Incident, policy: Policy, catalog: PlaybookCatalog, now: Date) -> Message? {
        let progresses = catalog.progresses(of: incident)
        guard !progresses.isEmpty else { return nil }
        let text = IncidentText(policy: policy, now: now)
        let stepText = StepText(text: text, owners: StepOwners(policy: policy, now: now))
        var lines: [[Span]] = progresses.map {
            [
                .text("Playbook: "), .bold($0.playbook.title),
                .text(" · \($0.settledCount)/\($0.steps.count) steps settled when this was pinned"),
            ]
        }
        lines += stepText.open(progresses)
        return Message(lines: lines, actions: IncidentActions.steps(progresses, incident: incident, policy: policy))
    }
}
