import Foundation

/// One mutation of an existing incident in progress: it collects events, posts and clock changes.
struct IncidentDraft {
    var incident: Incident
    let context: CommandContext
    let expectedSequence: Int
    var events: [IncidentEvent] = []
    var outbox: [OutboxItem] = []
    var clocks: [ClockRow] = []
    var reply: Reply?

    /// The incident's clock rows as stored before this command.
    let existingClocks: [ClockRow]

    init(incident: Incident, existingClocks: [ClockRow], context: CommandContext) {
        self.incident = incident
        self.existingClocks = existingClocks
        self.context = context
        self.expectedSequence = incident.lastSequence
    }

    var text: IncidentText { context.text }

    /// The progress of every attached playbook that is still installed, primary first.
    var progresses: [PlaybookProgress] { context.catalog.progresses(of: incident) }

    /// The primary playbook's progress, if it is still installed.
    var progress: PlaybookProgress? { progresses.first { $0.isPrimary } }
    var id: String { text.id(incident) }
    var now: Date { context.now }

    var outcome: Outcome {
        Outcome(incident: incident, expectedSequence: expectedSequence, events: events, outbox: outbox, reply: reply!, clocks: clocks)
    }

    mutating func record(_ kind: EventKind, _ payload: [String: String] = [:]) {
        events.append(EventChain.append(kind, by: context.actor, at: now, payload: payload, to: &incident))
    }

    /// Announces a state change in the incidents channel and replies with the same line in
    /// channel, with the buttons the new state allows.
    mutating func announce(_ line: [Span], alsoTo extra: ChannelRole? = nil) {
        let message = Message(lines: [line], actions: IncidentActions.lifecycle(incident, policy: context.policy))
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
        markAcknowledged()
        var line = text.headline(incident, "acknowledged")
        line += [.text(" · by "), .mention(context.actor), .text(" at \(text.time(now))")]
        if let ack = ServiceTargets.status(of: incident, kind: .ack, policy: context.policy) {
            let elapsed = now.duration(since: incident.cycleStartedAt)
            if now > ack.due {
                line.append(
                    .text(" (\(DurationText.format(now.duration(since: ack.due))) past the \(DurationText.format(ack.target)) target)"))
            } else {
                line.append(.text(" (in \(DurationText.format(elapsed)), target \(DurationText.format(ack.target)))"))
            }
        }
        announce(line)
    }

    /// Records the acknowledgement: the actor owns an unowned incident, the ack clock stops and
    /// automatic escalation ends.
    mutating func markAcknowledged() {
        incident.state = .acknowledged
        incident.acknowledgedAt = now
        incident.acknowledgedBy = context.actor
        var payload: [String: String] = [:]
        if incident.owner == nil {
            // Whoever acknowledges an unowned incident owns it until someone assigns it.
            incident.owner = context.actor
            payload["owner"] = context.actor.storedID
        }
        record(.acknowledged, payload)
        clocks += ClockPlanner.stop(ClockPlanner.ackName, in: existingClocks, at: now)
        clocks += ClockPlanner.cancel(kinds: [.escalation], in: existingClocks, at: now)
        // Acknowledged here, it stops paging everywhere: PagerDuty's incident is acknowledged too
        // (pages still waiting in the outbox are dropped unsent when their turn comes).
        outbox += Paging.stopPagerDuty(
            .acknowledge, incident: incident, message: Message(lines: [text.headline(incident, "acknowledged")]), policy: context.policy)
    }

    /// Someone working a step of an unacknowledged incident has plainly taken it up: the work
    /// acknowledges it (an event of its own, before the step's).
    mutating func acknowledgeByWork() {
        guard incident.state == .open else { return }
        markAcknowledged()
    }

    mutating func assign(_ user: UserRef) throws(UserError) {
        try refuseIfResolved("assign")
        // The same account, or another account of the same person (`people:`).
        if let owner = incident.owner, owner.isSamePerson(as: user) || context.policy.isSamePerson(owner, user) {
            throw UserError("\(id) is already owned by @\(owner.name).")
        }
        incident.owner = user
        record(.assigned, ["owner_id": user.storedID, "owner_name": user.name])
        announce(text.headline(incident, "assigned") + [.text(" · to "), .mention(user), .text(" by "), .mention(context.actor)])
    }

    mutating func escalate(reason: String?) throws(UserError) {
        try refuseIfResolved("escalate")
        let levels = context.policy.escalationLevels
        guard incident.level < levels.count else {
            throw UserError(
                "\(id) is already at the top escalation level (\(incident.level): \(context.policy.levelName(incident.level))).")
        }
        incident.level += 1
        var payload = ["level": String(incident.level)]
        if let reason { payload["reason"] = reason }
        record(.escalated, payload)
        // The next automatic step counts from now, the moment this level was reached.
        if let next = ClockPlanner.escalationClock(for: incident, policy: context.policy, reachedAt: now) {
            clocks.append(next)
        } else {
            clocks += ClockPlanner.cancel(kinds: [.escalation], in: existingClocks, at: now)
        }
        var line = text.headline(incident, "escalated")
        line += [.text(" · to level \(incident.level) (\(context.policy.levelName(incident.level))) by "), .mention(context.actor)]
        if let reason, !incident.restricted { line.append(.text(" · reason: \(reason)")) }
        // The level's people are named, so the chat notifies them, and paged directly.
        let people = ClockAlerts.levelPeople(incident.level, policy: context.policy, now: now)
        if people.isEmpty {
            line.append(.text(" · nobody is on call for this level"))
        } else {
            line.append(.text(" · paging"))
            for person in people { line += [.text(" "), .mention(person)] }
        }
        line.append(.text(" · act: "))
        line.append(.code("/incident ack \(id)"))
        announce(line, alsoTo: .oncall)
        let message = Message(lines: [line], actions: IncidentActions.lifecycle(incident, policy: context.policy))
        outbox += Paging.pages(
            to: people, about: incident, message: message, priority: .escalation, urgency: .urgent,
            endsWithAck: incident.state == .open, policy: context.policy)
        outbox += Paging.pagerDuty(
            .trigger, levels: incident.level...incident.level, about: incident, message: message, policy: context.policy,
            endsWithAck: incident.state == .open)
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
        let blocking = progresses.flatMap { progress in progress.openBlockingSteps.map { (progress, $0) } }
        if let (firstProgress, first) = blocking.first {
            let names = blocking.map { "“\($0.1.title)”" }
            throw UserError(
                "\(id) cannot be resolved yet: \(Suggestions.andList(names)) must be done first (\(blocking.count == 1 ? "a blocking step" : "blocking steps")). "
                    + "See them with `/incident step \(id)`; complete one with `/incident step \(id) done \(firstProgress.reference(first))\(StepText.fieldHint(first))`."
            )
        }
        // Unfinished steps that do not block (a preservation hold, tightening a rule) outlive the
        // incident as follow-ups: they keep their owners and their clocks, which keep alerting.
        let followUps = progresses.flatMap { progress in progress.unsettledSteps.map { (progress, $0) } }
        let ackStatus = ServiceTargets.status(of: incident, kind: .ack, policy: context.policy)
        incident.state = .resolved
        incident.resolvedAt = now
        incident.resolvedBy = context.actor
        incident.resolution = resolution
        record(.resolved, ["resolution": resolution])
        clocks += ClockPlanner.stop(ClockPlanner.ackName, in: existingClocks, at: now)
        clocks += ClockPlanner.stop(ClockPlanner.resolveName, in: existingClocks, at: now)
        clocks += ClockPlanner.cancel(kinds: [.escalation], in: existingClocks, at: now)
        clocks += PlaybookChoice.cancelled(in: existingClocks, at: now)
        outbox += Paging.stopPagerDuty(
            .resolve, incident: incident, message: Message(lines: [text.headline(incident, "resolved")]), policy: context.policy)
        var line = text.headline(incident, "resolved")
        line += [.text(" · by "), .mention(context.actor)]
        if !incident.restricted { line.append(.text(" · \(resolution)")) }
        var timing: [Span] = []
        if var ack = ackStatus {
            ack.metAt = incident.acknowledgedAt ?? now
            timing.append(.text("time to acknowledge \(text.outcomeText(ack, from: incident.cycleStartedAt))"))
        }
        if let resolve = ServiceTargets.status(of: incident, kind: .resolve, policy: context.policy) {
            if !timing.isEmpty { timing.append(.text(" · ")) }
            timing.append(.text("time to resolve \(text.outcomeText(resolve, from: incident.cycleStartedAt))"))
        }
        var lines = timing.isEmpty ? [line] : [line, timing]
        if !followUps.isEmpty {
            lines.append([
                .text("Follow-ups still open (\(followUps.count)); they keep their owners and deadlines: "),
                .code("/incident list followups"),
            ])
            let owners = StepOwners(policy: context.policy, now: now)
            for (progress, step) in followUps where !incident.restricted {
                var entry: [Span] = [.text("• “\(step.title)” — ")] + owners.spans(step.owner, for: incident)
                if let due = progress.dueDate(of: step) { entry.append(.text(", due \(text.time(due))")) }
                lines.append(entry)
            }
        }
        let message = Message(lines: lines)
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
        incident.reopenedAt = now
        var payload: [String: String] = [:]
        if let reason { payload["reason"] = reason }
        record(.reopened, payload)
        // A new response cycle: fresh ack and resolve clocks from now, and escalation from this level.
        clocks += ClockPlanner.targetClocks(for: incident, policy: context.policy)
        if let escalation = ClockPlanner.escalationClock(for: incident, policy: context.policy, reachedAt: now) {
            clocks.append(escalation)
        }
        // Still without a playbook: the reminder to choose one resumes with the new cycle.
        if context.catalog.awaitsChoice(incident) {
            clocks.append(PlaybookChoice.reminderClock(for: incident, policy: context.policy, from: now))
        }
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
        clocks += ClockPlanner.retimed(existingClocks, for: incident, policy: context.policy)
        var line = text.headline(incident, "severity changed")
        line.append(.text(" · \(previous.uppercased()) → \(severity.uppercased()) by "))
        line.append(.mention(context.actor))
        if incident.state == .open, let ack = ServiceTargets.status(of: incident, kind: .ack, policy: context.policy) {
            line.append(.text(" · \(text.dueText(ack))"))
        }
        announce(line)
    }
}
