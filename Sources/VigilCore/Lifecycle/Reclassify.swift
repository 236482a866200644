/// `type <id> <type|category>`: moves an incident to another type or category, as a case turns
/// out to be something else (a harassment report that involves a minor).
extension IncidentDraft {
    /// Moves the incident to `word`, a type (which brings its playbook) or a category.
    ///
    /// The new playbook's clocks, its legal clock included, count from when the team learned of
    /// the incident, as they would had it been opened so. Nothing is lost on the way: recorded
    /// steps stay on record, and a legal clock already running keeps running. Moving into a
    /// restricted type or category makes the incident restricted for good, and every earlier post
    /// about it is edited down to ID, severity and category where the platform allows it.
    mutating func reclassify(to word: String, usage: String) throws(UserError) {
        try refuseIfResolved("reclassify")
        let typed = context.catalog.playbook(forType: word)
        guard let category = context.policy.category(named: typed?.category ?? word) else {
            let words = context.policy.categories.map(\.name) + context.catalog.typeWords
            let hint = Suggestions.closest(to: word, in: words).first.map { " Did you mean `\($0)`?" } ?? ""
            throw UserError("Unknown category or type “\(word)”.\(hint) See `/incident types`.", usage: usage)
        }
        let sameCategory = category.name == incident.category
        if sameCategory, typed.map({ $0.id == incident.playbook }) ?? true {
            throw UserError("\(id) is already \(typed?.type ?? category.name).", usage: usage)
        }
        if let typed, incident.playbooks.dropFirst().contains(where: { $0.id == typed.id }) {
            throw UserError(
                "\(id) already runs “\(typed.title)” beside its first playbook; its category stays \(incident.category).", usage: usage)
        }
        let wasRestricted = incident.restricted
        let from = incident.category
        incident.category = category.name
        var payload = ["from": from, "to": category.name]
        if let typed { payload["type"] = typed.type }
        record(.reclassified, payload)
        if category.restricted { incident.restricted = true }
        clocks += ClockPlanner.retimed(existingClocks, for: incident, policy: context.policy)

        // The playbook: the type's own; or the category's only one; or, with several, the one
        // the incident follows if it still fits, else the team chooses (the old one's duties
        // stay until then).
        var chosen: PlaybookProgress?
        var choose: [Span] = []
        if let typed {
            chosen = replacePrimary(with: typed)
        } else if !(context.catalog.playbook(id: incident.playbook ?? "")?.applies(toCategory: category.name) ?? false) {
            let candidates = context.catalog.candidates(category: category.name, severity: incident.severity)
            if candidates.count == 1 {
                chosen = replacePrimary(with: candidates[0])
            } else if !candidates.isEmpty {
                let ids = context.catalog.ranked(candidates, title: incident.title).map(\.id)
                choose = [
                    .text("Choose its playbook: "), .code("/incident playbook \(id) \(ids[0])"),
                    .text(" (\(Suggestions.andList(ids.map { "`\($0)`" })))"),
                ]
            }
        }

        let becameRestricted = !wasRestricted && incident.restricted
        var line = text.headline(incident, "reclassified")
        line += [.text(" · \(from) → \(category.name)"), .text(" by "), .mention(context.actor)]
        var lines = [line]
        if let chosen {
            let owners = StepOwners(policy: context.policy, now: now)
            lines += StepText(text: text, owners: owners).attached(chosen)
        }
        if !choose.isEmpty { lines.append(choose) }
        var publicLines = [line]
        if becameRestricted {
            // Every earlier post is edited down where Vigil posts as an app; a webhook post cannot
            // be edited, so the channel is told that it may still hold details.
            outbox.append(
                OutboxItem(
                    target: .redaction, incident: incident.number, message: Message(lines: [text.tag(incident)]), priority: .redaction))
            let notice: [Span] =
                context.policy.editsPosts
                ? [.text("Now restricted: earlier posts about \(id) were edited down to its ID, severity and category.")]
                : [
                    .text("Now restricted: earlier posts about \(id) may still show its details, which Vigil cannot edit there. "),
                    .text("People with the `restricted` role see them privately: "), .code("/incident status \(id)"),
                ]
            publicLines.append(notice)
            lines.append(notice)
        }
        let buttons = IncidentActions.lifecycle(incident, policy: context.policy)
        let message = Message(
            lines: lines, actions: buttons + IncidentActions.steps(progresses, incident: incident, policy: context.policy))
        guard incident.restricted else {
            outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: message))
            reply = Reply(.inChannel, message)
            return
        }
        outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: Message(lines: publicLines, actions: buttons)))
        reply = Reply(.ephemeral, message)
    }
}
