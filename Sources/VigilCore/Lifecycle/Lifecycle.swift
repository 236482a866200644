import Foundation

/// The incident state machine: each mutating subcommand either yields an ``Outcome`` or refuses
/// with a specific ``UserError``. Pure: it takes `now` and returns values.
public enum Lifecycle {
    /// Applies a parsed mutation. `incident` is the one the command names (`nil` for `open`);
    /// `newNumber` is the number reserved for `open`.
    public static func apply(
        _ command: ParsedCommand, to incident: Incident?, newNumber: Int?, context: CommandContext
    ) throws(UserError) -> Outcome {
        if command.subcommand == .open {
            guard let newNumber else { throw UserError("No incident number was reserved.") }
            return try open(command, number: newNumber, context: context)
        }
        guard let incident else {
            let id = command.incidentNumber.map { context.policy.displayID($0) } ?? "that incident"
            throw UserError("There is no incident \(id). `/incident list all` shows them.", usage: command.spec.usage)
        }
        var draft = Draft(incident: incident, context: context)
        switch command.subcommand {
        case .ack: try draft.acknowledge()
        case .assign: try draft.assign(command.user("user")!)
        case .escalate: try draft.escalate(reason: command.string("reason"))
        case .resolve: try draft.resolve(resolution: command.string("resolution") ?? "")
        case .reopen: try draft.reopen(reason: command.string("reason"))
        case .note: try draft.note(command.string("text") ?? "")
        case .sev: try draft.changeSeverity(to: command.string("severity")!)
        case .open, .status, .list, .help:
            throw UserError("`\(command.spec.name)` does not change an incident.")
        }
        return draft.outcome
    }

    static func open(_ command: ParsedCommand, number: Int, context: CommandContext) throws(UserError) -> Outcome {
        let policy = context.policy
        let title = (command.string("title") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw UserError("An incident needs a title.", usage: command.spec.usage) }
        guard title.count <= 200 else {
            throw UserError("The title is \(title.count) characters; keep it under 200 and put details in a note.", usage: command.spec.usage)
        }
        let category = policy.category(named: command.string("category")!)!
        let knownAt = command.optionTime("known") ?? context.now
        guard knownAt <= context.now.addingTimeInterval(60) else {
            throw UserError("--known is in the future (\(context.text.time(knownAt))); it is when the team learned of the incident.", usage: command.spec.usage)
        }
        let playbook = command.optionStrings("playbook").first
        if let playbook, !context.playbooks.contains(playbook) {
            let installed = context.playbooks.isEmpty ? "No playbooks are installed." : "Installed: \(context.playbooks.joined(separator: ", "))."
            throw UserError("There is no playbook “\(playbook)”. \(installed)", usage: command.spec.usage)
        }
        var incident = Incident(
            number: number, title: title, severity: command.string("severity")!, category: category.name,
            reporter: context.actor, platform: context.platform, channel: context.channel, openedAt: context.now,
            knownAt: knownAt, refs: command.optionStrings("ref"), playbook: playbook, restricted: category.restricted)
        var payload = ["title": title, "severity": incident.severity, "category": incident.category]
        if !incident.refs.isEmpty { payload["refs"] = incident.refs.joined(separator: " ") }
        if knownAt != context.now { payload["known_at"] = String(Int64(knownAt.timeIntervalSince1970 * 1000)) }
        if let playbook { payload["playbook"] = playbook }
        let event = EventChain.append(.opened, by: context.actor, at: context.now, payload: payload, to: &incident)

        let text = context.text
        var line = text.headline(incident, "opened")
        line.append(.text(" · reporter "))
        line.append(.mention(context.actor))
        if !incident.restricted, !incident.refs.isEmpty { line.append(.text(" · ref \(incident.refs.joined(separator: ", "))")) }
        if let ack = ServiceTargets.status(of: incident, kind: .ack, policy: policy) {
            line.append(.text(" · \(text.dueText(ack))"))
        }
        let message = Message(lines: [line])
        return Outcome(
            incident: incident, expectedSequence: 0, events: [event],
            outbox: [OutboxItem(channel: .incidents, incident: number, message: message)],
            reply: Reply(.inChannel, message))
    }
}

/// One mutation of an existing incident in progress: it collects events and posts.
private struct Draft {
    var incident: Incident
    let context: CommandContext
    let expectedSequence: Int
    var events: [IncidentEvent] = []
    var outbox: [OutboxItem] = []
    var reply: Reply?

    init(incident: Incident, context: CommandContext) {
        self.incident = incident
        self.context = context
        self.expectedSequence = incident.lastSequence
    }

    var text: IncidentText { context.text }
    var id: String { text.id(incident) }
    var now: Date { context.now }

    var outcome: Outcome {
        Outcome(incident: incident, expectedSequence: expectedSequence, events: events, outbox: outbox, reply: reply!)
    }

    mutating func record(_ kind: EventKind, _ payload: [String: String] = [:]) {
        events.append(EventChain.append(kind, by: context.actor, at: now, payload: payload, to: &incident))
    }

    /// Announces a state change in the incidents channel and replies with the same line in channel.
    mutating func announce(_ line: [Span], alsoTo extra: ChannelRole? = nil) {
        let message = Message(lines: [line])
        outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: message))
        if let extra { outbox.append(OutboxItem(channel: extra, incident: incident.number, message: message)) }
        reply = Reply(.inChannel, message)
    }

    func refuseIfResolved(_ action: String) throws(UserError) {
        guard incident.state == .resolved else { return }
        var facts: [String] = []
        if let by = incident.resolvedBy { facts.append("by @\(by.name)") }
        if let at = incident.resolvedAt { facts.append("at \(text.time(at))") }
        let detail = facts.isEmpty ? "" : " (\(facts.joined(separator: " ")))"
        throw UserError("\(id) is resolved\(detail); reopen it before you \(action) it: `/incident reopen \(id)`.")
    }

    mutating func acknowledge() throws(UserError) {
        if incident.state == .acknowledged {
            let who = incident.acknowledgedBy.map { "@\($0.name)" } ?? "someone"
            let when = incident.acknowledgedAt.map { text.time($0) } ?? "earlier"
            throw UserError("\(id) was already acknowledged by \(who) at \(when).")
        }
        try refuseIfResolved("acknowledge")
        incident.state = .acknowledged
        incident.acknowledgedAt = now
        incident.acknowledgedBy = context.actor
        var payload: [String: String] = [:]
        if incident.owner == nil {
            // Whoever acknowledges an unowned incident owns it until someone assigns it.
            incident.owner = context.actor
            payload["owner"] = context.actor.id
        }
        record(.acknowledged, payload)
        var line = text.headline(incident, "acknowledged")
        line += [.text(" · by "), .mention(context.actor), .text(" at \(text.time(now))")]
        if let ack = ServiceTargets.status(of: incident, kind: .ack, policy: context.policy) {
            let elapsed = now.duration(since: incident.knownAt)
            if now > ack.due {
                line.append(.text(" (\(DurationText.format(now.duration(since: ack.due))) past the \(DurationText.format(ack.target)) target)"))
            } else {
                line.append(.text(" (in \(DurationText.format(elapsed)), target \(DurationText.format(ack.target)))"))
            }
        }
        announce(line)
    }

    mutating func assign(_ user: UserRef) throws(UserError) {
        try refuseIfResolved("assign")
        if let owner = incident.owner, owner.isSamePerson(as: user) {
            throw UserError("\(id) is already owned by @\(owner.name).")
        }
        incident.owner = user
        record(.assigned, ["owner_id": user.id, "owner_name": user.name])
        announce(text.headline(incident, "assigned") + [.text(" · to "), .mention(user), .text(" by "), .mention(context.actor)])
    }

    mutating func escalate(reason: String?) throws(UserError) {
        try refuseIfResolved("escalate")
        let levels = context.policy.escalationLevels
        guard incident.level < levels.count else {
            throw UserError("\(id) is already at the top escalation level (\(incident.level): \(context.policy.levelName(incident.level))).")
        }
        incident.level += 1
        var payload = ["level": String(incident.level)]
        if let reason { payload["reason"] = reason }
        record(.escalated, payload)
        var line = text.headline(incident, "escalated")
        line += [.text(" · to level \(incident.level) (\(context.policy.levelName(incident.level))) by "), .mention(context.actor)]
        if let reason, !incident.restricted { line.append(.text(" · reason: \(reason)")) }
        line.append(.text(" · act: "))
        line.append(.code("/incident ack \(id)"))
        announce(line, alsoTo: .oncall)
    }

    mutating func resolve(resolution: String) throws(UserError) {
        if incident.state == .resolved {
            let who = incident.resolvedBy.map { "@\($0.name)" } ?? "someone"
            let when = incident.resolvedAt.map { text.time($0) } ?? "earlier"
            throw UserError("\(id) was already resolved by \(who) at \(when).")
        }
        let resolution = resolution.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !resolution.isEmpty else {
            throw UserError("Say how \(id) was resolved.", usage: "resolve <id> <resolution…>")
        }
        let ackStatus = ServiceTargets.status(of: incident, kind: .ack, policy: context.policy)
        incident.state = .resolved
        incident.resolvedAt = now
        incident.resolvedBy = context.actor
        incident.resolution = resolution
        record(.resolved, ["resolution": resolution])
        var line = text.headline(incident, "resolved")
        line += [.text(" · by "), .mention(context.actor)]
        if !incident.restricted { line.append(.text(" · \(resolution)")) }
        var timing: [Span] = []
        if var ack = ackStatus {
            ack.metAt = incident.acknowledgedAt ?? now
            timing.append(.text("time to acknowledge \(text.outcomeText(ack, from: incident.knownAt))"))
        }
        if let resolve = ServiceTargets.status(of: incident, kind: .resolve, policy: context.policy) {
            if !timing.isEmpty { timing.append(.text(" · ")) }
            timing.append(.text("time to resolve \(text.outcomeText(resolve, from: incident.knownAt))"))
        }
        let message = Message(lines: timing.isEmpty ? [line] : [line, timing])
        outbox.append(OutboxItem(channel: .incidents, incident: incident.number, message: message))
        reply = Reply(.inChannel, message)
    }

    mutating func reopen(reason: String?) throws(UserError) {
        guard incident.state == .resolved else {
            throw UserError("\(id) is \(incident.state.rawValue), not resolved; only a resolved incident can be reopened.")
        }
        incident.state = .open
        incident.acknowledgedAt = nil
        incident.acknowledgedBy = nil
        incident.resolvedAt = nil
        incident.resolvedBy = nil
        incident.resolution = nil
        var payload: [String: String] = [:]
        if let reason { payload["reason"] = reason }
        record(.reopened, payload)
        var line = text.headline(incident, "reopened") + [.text(" · by "), .mention(context.actor)]
        if let reason, !incident.restricted { line.append(.text(" · \(reason)")) }
        announce(line)
    }

    mutating func note(_ note: String) throws(UserError) {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw UserError("A note needs text.", usage: "note <id> <text…>") }
        guard note.count <= 3000 else {
            throw UserError("The note is \(note.count) characters; keep each note under 3000 and link to longer material.")
        }
        record(.noted, ["text": note])
        // Notes are not lifecycle changes: no channel post, and never echoed for restricted incidents.
        var line = text.headline(incident, "note added")
        line += [.text(" · by "), .mention(context.actor)]
        if !incident.restricted { line.append(.text(": \(note)")) }
        reply = Reply(.inChannel, Message(lines: [line]))
    }

    mutating func changeSeverity(to severity: String) throws(UserError) {
        try refuseIfResolved("re-grade")
        guard severity != incident.severity else { throw UserError("\(id) is already \(severity).") }
        let previous = incident.severity
        incident.severity = severity
        record(.severityChanged, ["from": previous, "to": severity])
        var line = text.headline(incident, "severity changed")
        line.append(.text(" · \(previous.uppercased()) → \(severity.uppercased()) by "))
        line.append(.mention(context.actor))
        if incident.state == .open, let ack = ServiceTargets.status(of: incident, kind: .ack, policy: context.policy) {
            line.append(.text(" · \(text.dueText(ack))"))
        }
        announce(line)
    }
}
