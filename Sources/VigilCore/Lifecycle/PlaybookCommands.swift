import Foundation

/// `playbook <id> <playbook>` (choose or switch the primary playbook) and
/// `playbook <id> add <playbook>` (attach another beside it).
extension IncidentDraft {
    /// Chooses the incident's playbook, or replaces its primary one. Only a playbook of the
    /// incident's own category: a child-safety incident cannot be moved to `harassment` and lose
    /// its duties (`add` attaches one of another category beside it instead). Steps already
    /// recorded stay on record under the playbook they belonged to.
    mutating func switchPlaybook(to playbookID: String, usage: String) throws(UserError) {
        let playbook = try installed(playbookID, usage: usage)
        guard playbook.applies(toCategory: incident.category) else {
            throw UserError(
                "Playbook “\(playbook.id)” is not for \(incident.category) incidents. \(Lifecycle.applicablePlaybooks(incident.category, context)) "
                    + "To run it as well, attach it beside: `/incident playbook \(id) add \(playbook.id)`.", usage: usage)
        }
        guard playbook.id != incident.playbook else { throw UserError("\(id) already follows “\(playbook.title)”.") }
        if incident.playbooks.contains(where: { $0.id == playbook.id }) {
            throw UserError("\(id) already runs “\(playbook.title)” beside its first playbook.")
        }
        let wasChoosing = incident.playbooks.isEmpty
        let progress = replacePrimary(with: playbook)
        var line = text.headline(incident, wasChoosing ? "playbook chosen" : "playbook changed")
        line += [.text(" by "), .mention(context.actor)]
        let owners = StepOwners(policy: context.policy, now: now)
        post(Message(lines: [line] + StepText(text: text, owners: owners).attached(progress)), publicLine: line)
    }

    /// Makes `playbook` the primary one, in place of the one the incident follows (if any), and
    /// starts its clocks; returns its progress.
    @discardableResult
    mutating func replacePrimary(with playbook: Playbook) -> PlaybookProgress {
        // Step clocks of the old playbook end; its legal clock does not: a legal duty is stopped
        // only by completing it or by a recorded waiver (`waive`).
        let old = progress
        if let old { clocks += old.cancelledClocks(at: now).filter { $0.kind != .legal } }
        // Records of the old playbook's steps keep naming it, so that its history reads right.
        for index in incident.steps.indices where incident.steps[index].playbook == nil {
            incident.steps[index].playbook = old?.playbook.id
        }
        let attached = AttachedPlaybook(id: playbook.id, attachedAt: now)
        if incident.playbooks.isEmpty { incident.playbooks = [attached] } else { incident.playbooks[0] = attached }
        becomeRestrictedIfNeeded(by: playbook)
        record(.playbookChanged, ["from": old?.playbook.id ?? "", "to": playbook.id])
        clocks += PlaybookChoice.cancelled(in: existingClocks, at: now)
        let progress = PlaybookProgress(playbook: playbook, incident: incident, attachedAt: now, isPrimary: true)
        startClocks(of: progress)
        pageOwners(of: progress)
        return progress
    }

    /// The owners of the steps a newly attached playbook opens get them directly.
    mutating func pageOwners(of progress: PlaybookProgress) {
        outbox += StepPages.pages(
            opened: progress.openSteps.map { (progress, $0) }, incident: incident, actor: context.actor, policy: context.policy, now: now)
    }

    /// Attaches a second (third, …) playbook: each keeps its own steps and its own legal clock.
    /// A restricted playbook (or one of a restricted category) makes the incident restricted.
    mutating func addPlaybook(_ playbookID: String, usage: String) throws(UserError) {
        try refuseIfResolved("add a playbook to")
        let playbook = try installed(playbookID, usage: usage)
        if incident.playbooks.contains(where: { $0.id == playbook.id }) {
            throw UserError("\(id) already runs “\(playbook.title)”.")
        }
        // Added to an incident still waiting for its choice, it ends the wait: urgent work such as
        // a child-safety report is never held back by the category the incident was opened with.
        let isPrimary = incident.playbooks.isEmpty
        incident.playbooks.append(AttachedPlaybook(id: playbook.id, attachedAt: now))
        becomeRestrictedIfNeeded(by: playbook)
        record(.playbookAdded, ["playbook": playbook.id])
        if isPrimary { clocks += PlaybookChoice.cancelled(in: existingClocks, at: now) }
        let progress = PlaybookProgress(playbook: playbook, incident: incident, attachedAt: now, isPrimary: isPrimary)
        startClocks(of: progress)
        pageOwners(of: progress)
        let line = text.headline(incident, "playbook added") + [.text(" · “\(playbook.title)” by "), .mention(context.actor)]
        // A restricted incident's channel post does not name the playbook: its title says what
        // the case is about.
        let publicLine = text.headline(incident, "playbook added") + [.text(" by "), .mention(context.actor)]
        let owners = StepOwners(policy: context.policy, now: now)
        post(Message(lines: [line] + StepText(text: text, owners: owners).attached(progress)), publicLine: publicLine)
    }

    func installed(_ playbookID: String, usage: String) throws(UserError) -> Playbook {
        guard let playbook = context.catalog.playbook(id: playbookID) ?? context.catalog.playbook(forType: playbookID) else {
            let hint = Suggestions.closest(to: playbookID, in: context.catalog.ids).first.map { " Did you mean `\($0)`?" } ?? ""
            throw UserError(
                "There is no playbook “\(playbookID)”.\(hint) \(Lifecycle.applicablePlaybooks(incident.category, context))", usage: usage)
        }
        return playbook
    }

    /// Restriction only ever grows: a restricted playbook makes the incident restricted, and
    /// nothing makes it public again.
    mutating func becomeRestrictedIfNeeded(by playbook: Playbook) {
        let categoryRestricted = playbook.category.flatMap { context.policy.category(named: $0)?.restricted } ?? false
        guard !incident.restricted, playbook.restricted || categoryRestricted else { return }
        incident.restricted = true
    }

    /// The clocks a newly attached playbook starts: its step clocks, and its legal clock unless
    /// the incident already runs (or ran) that rule's clock.
    private mutating func startClocks(of progress: PlaybookProgress) {
        var starting = progress.startingClocks().filter { $0.kind != .legal }.map {
            ClockPlanner.schedule($0, policy: context.policy, incident: incident)
        }
        if let legal = progress.legalClock, let row = newLegalClock(legal, for: progress.playbook) {
            starting.append(ClockPlanner.schedule(row, policy: context.policy, incident: incident))
        }
        // A restarted clock replaces the cancelled row of the same name, if both playbooks share a step.
        clocks = clocks.filter { row in !starting.contains { $0.name == row.name } } + starting
    }

    /// The new playbook's legal clock, unless the incident already has that rule's clock (running,
    /// met or waived: it is not restarted). Renamed `legal:<playbook>` when a clock of another
    /// rule already holds its name and keeps running beside it.
    func newLegalClock(_ legal: ClockRow, for playbook: Playbook) -> ClockRow? {
        let existingLegal = existingClocks.filter { $0.kind == .legal }
        guard !existingLegal.contains(where: { $0.rule == legal.rule }) else { return nil }
        var row = legal
        if existingLegal.contains(where: { $0.name == legal.name }) { row.name = "\(ClockPlanner.legalName):\(playbook.id)" }
        return row
    }
}
