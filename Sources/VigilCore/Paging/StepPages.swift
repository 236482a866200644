import Foundation

/// Pages for steps given to people: when a step opens (at opening, when the step before it is
/// done, when a playbook is chosen or added), its owners get a direct notice with the step's
/// buttons, so that legal learns of an NCMEC report in its inbox, not by reading the channel.
///
/// A notice, not an alarm: a chat DM and email, no push. The person whose command opened the
/// step is not paged about it. A restricted incident's notice names neither its title nor the
/// step's: its position and the command to see it, which only cleared people can run.
public enum StepPages {
    /// Pages about `opened` steps of `incident`, leaving out `actor`.
    public static func pages(
        opened: [(progress: PlaybookProgress, step: PlaybookStep)], incident: Incident, actor: UserRef?, policy: Policy, now: Date
    ) -> [OutboxItem] {
        guard !policy.paging.isEmpty, incident.state != .resolved else { return [] }
        let text = IncidentText(policy: policy, now: now)
        let owners = StepOwners(policy: policy, now: now)
        let id = text.id(incident)
        var items: [OutboxItem] = []
        for (progress, step) in opened {
            let people = owners.people(step.owner, for: incident).filter { person in
                guard let actor else { return true }
                return !person.isSamePerson(as: actor) && !policy.isSamePerson(person, actor)
            }
            guard !people.isEmpty else { continue }
            let reference = progress.reference(step)
            let named = incident.restricted ? "" : " “\(step.title)”"
            var line = text.tag(incident)
            line += [.text(" · step \(progress.position(of: step))/\(progress.steps.count)\(named) is yours")]
            if let due = progress.dueDate(of: step) { line.append(.text(", due \(text.time(due))")) }
            line += [.text(" · "), .code("/incident step \(id) show \(reference)")]
            let message = Message(
                lines: [line],
                actions: [
                    MessageAction(name: "step-done", label: "Step done", command: "step \(id) done \(reference)", style: .primary),
                    MessageAction(name: "step-show", label: "Show step", command: "step \(id) show \(reference)"),
                ])
            items += Paging.pages(
                to: people, about: incident, message: message, priority: .other, urgency: .notice, endsWithAck: false, policy: policy)
        }
        return items
    }
}
