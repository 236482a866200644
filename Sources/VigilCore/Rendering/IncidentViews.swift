import Foundation

/// The private (ephemeral) views: `status`, `status <id>` and `list`.
///
/// A restricted incident's title and details appear only where
/// ``Authorization/mayShowInReply(_:context:)`` allows: for a cleared actor, in a reply that
/// reaches them alone.
public enum IncidentViews {
    /// How many timeline entries `status <id>` shows before folding the older ones.
    public static let timelineLimit = 12

    /// `status <id>`: the whole picture of one incident, for the person who asked.
    public static func status(
        of incident: Incident, events: [IncidentEvent], clocks: [ClockRow] = [], outbox: OutboxHealth?, context: CommandContext
    ) -> Reply {
        var lines = header(incident, context: context)
        lines += clockLines(clocks, incident: incident, context: context)
        lines += detailLines(incident, context: context)
        lines += timeline(events, limit: timelineLimit, incident: incident, context: context)
        if let outbox, outbox.deadLettered > 0 {
            lines.append([.text("⚠ \(outbox.deadLettered) channel post(s) could not be delivered; see the server log.")])
        }
        return Reply(.ephemeral, Message(lines: lines))
    }

    /// How many timeline entries `summary <id>` shows before folding the older ones.
    public static let summaryTimelineLimit = 30

    /// `summary <id>`: what happened, for a lead: the facts, time to acknowledge and resolve
    /// against their targets, every clock met or breached (legal ones with their rule), the
    /// playbook's record, and the timeline.
    public static func summary(of incident: Incident, events: [IncidentEvent], clocks: [ClockRow], context: CommandContext) -> Reply {
        let text = context.text
        var lines = header(incident, context: context)
        var timing: [String] = []
        for kind in [TargetKind.ack, .resolve] {
            guard let status = ServiceTargets.status(of: incident, kind: kind, policy: context.policy) else { continue }
            let label = kind == .ack ? "Time to acknowledge" : "Time to resolve"
            timing.append(
                status.metAt == nil
                    ? "\(label): not yet (\(text.dueText(status)))" : "\(label) \(text.outcomeText(status, from: incident.cycleStartedAt))")
        }
        if !timing.isEmpty { lines.append([.text(timing.joined(separator: " · "))]) }
        let playbooks = context.catalog.progresses(of: incident)
        let shown = clocks.filter { $0.state != .cancelled }
        if !shown.isEmpty { lines.append([.bold("Clocks")]) }
        for clock in shown {
            let alerts = events.filter { $0.kind == .clockBreached && $0.payload["clock"] == clock.name }.count
            let note = alerts == 0 ? "" : " · \(alerts) breach alert\(alerts == 1 ? "" : "s")"
            lines.append([.text(ClockText(text: text).describe(clock, playbooks: playbooks) + note)])
        }
        lines += detailLines(incident, context: context)
        lines += timeline(events, limit: summaryTimelineLimit, incident: incident, context: context)
        return Reply(.ephemeral, Message(lines: lines))
    }

    // MARK: - Parts shared by status and summary

    /// ID, state, classification, title (hidden from people outside the restricted role), level,
    /// people and times.
    static func header(_ incident: Incident, context: CommandContext) -> [[Span]] {
        let text = context.text
        let policy = context.policy
        var lines: [[Span]] = []
        lines.append([
            .bold(text.id(incident)),
            .text(" · \(incident.state.rawValue) · \(text.classification(incident)) — \(text.title(incident, for: context.actor))"),
        ])
        var people: [Span] = [.text("Level \(incident.level) (\(policy.levelName(incident.level))) · owner ")]
        people.append(incident.owner.map(Span.mention) ?? .text("nobody"))
        people += [.text(" · reporter "), .mention(incident.reporter)]
        lines.append(people)
        var times = "Opened \(text.time(incident.openedAt))"
        if incident.knownAt != incident.openedAt { times += " · known since \(text.time(incident.knownAt))" }
        if let at = incident.reopenedAt { times += " · reopened \(text.time(at))" }
        if let at = incident.acknowledgedAt { times += " · acknowledged \(text.time(at))" }
        if let at = incident.resolvedAt { times += " · resolved \(text.time(at))" }
        lines.append([.text(times)])
        return lines
    }

    /// Each clock that applies: time left, how far overdue, or how it ended.
    static func clockLines(_ clocks: [ClockRow], incident: Incident, context: CommandContext) -> [[Span]] {
        let playbooks = context.catalog.progresses(of: incident)
        let shown = clocks.filter { $0.state != .cancelled }
        guard !shown.isEmpty else { return [] }
        return [[.bold("Clocks")]] + shown.map { [.text(ClockText(text: context.text).describe($0, playbooks: playbooks))] }
    }

    /// Refs, playbook progress and step history, and the resolution, for readers allowed to see them.
    static func detailLines(_ incident: Incident, context: CommandContext) -> [[Span]] {
        let text = context.text
        let mayRead = Authorization.mayShowInReply(incident, context: context)
        var lines: [[Span]] = []
        // A restricted incident's refs (ticket numbers, report numbers) are details too.
        if !incident.refs.isEmpty { lines.append([.text("Refs: " + (mayRead ? incident.refs.joined(separator: ", ") : "(restricted)"))]) }
        let steps = StepText(text: text, owners: StepOwners(policy: context.policy, now: context.now))
        for progress in context.catalog.progresses(of: incident) {
            lines.append([.text("Playbook " + steps.progressLine(progress))])
            if let legal = progress.playbook.legal, let due = progress.legalDueDate {
                lines.append([.text("Legal clock: \(legal.rule) (\(legal.citation)), due \(text.time(due))")])
            }
        }
        if context.catalog.awaitsChoice(incident) {
            let candidates = context.catalog.choices(for: incident)
            lines += PlaybookChoice.lines(candidates, incident: incident, text: text)
        }
        if incident.state == .resolved {
            let followUps = context.catalog.progresses(of: incident).flatMap { progress in progress.unsettledSteps.map { (progress, $0) } }
            if !followUps.isEmpty { lines.append([.bold("Follow-ups")]) }
            for (progress, step) in followUps { lines.append(steps.brief(step, progress)) }
        }
        if !incident.steps.isEmpty {
            lines.append([.bold("Steps")])
            lines += steps.history(incident, catalog: context.catalog, mayRead: mayRead)
        }
        if let resolution = incident.resolution, mayRead { lines.append([.text("Resolution: \(resolution)")]) }
        return lines
    }

    /// The most recent `limit` events, with the count of older ones left out.
    static func timeline(_ events: [IncidentEvent], limit: Int, incident: Incident, context: CommandContext) -> [[Span]] {
        let mayRead = Authorization.mayShowInReply(incident, context: context)
        let recent = events.suffix(limit)
        var lines: [[Span]] = [[.bold("Timeline")]]
        if events.count > recent.count {
            lines.append([.text("… \(events.count - recent.count) earlier events not shown")])
        }
        for event in recent {
            lines.append([.text("\(context.text.time(event.at)) ")] + describe(event, mayRead: mayRead, policy: context.policy))
        }
        return lines
    }

    /// `status` without an ID: what is open, and whether Vigil's posts are getting through.
    public static func overview(of incidents: [Incident], outbox: OutboxHealth, context: CommandContext) -> Reply {
        let open = incidents.filter { $0.state == .open }.count
        let acknowledged = incidents.filter { $0.state == .acknowledged }.count
        var lines: [[Span]] = [
            [.bold("Open incidents: \(incidents.count)"), .text(" (\(open) unacknowledged, \(acknowledged) acknowledged)")]
        ]
        for incident in incidents.prefix(15) {
            lines.append(row(incident, context: context))
        }
        if incidents.count > 15 { lines.append([.text("… and \(incidents.count - 15) more: `/incident list`")]) }
        var delivery = "Channel posts: \(outbox.pending) pending"
        if outbox.deadLettered > 0 {
            delivery += " · ⚠ \(outbox.deadLettered) dead-lettered (undeliverable after retries; see the server log)"
        }
        lines.append([.text(delivery)])
        return Reply(.ephemeral, Message(lines: lines))
    }

    /// `step <id>`: the steps open now, in full when there is one, for the person who asked.
    public static func step(of incident: Incident, named: String? = nil, context: CommandContext) -> Reply {
        let text = context.text
        let id = text.id(incident)
        let progresses = context.catalog.progresses(of: incident)
        guard !progresses.isEmpty else {
            if context.catalog.awaitsChoice(incident) {
                let candidates = context.catalog.choices(for: incident)
                return Reply(
                    .ephemeral,
                    Message(
                        lines: [[.bold(id), .text(" · playbook not chosen")]]
                            + PlaybookChoice.lines(candidates, incident: incident, text: text)))
            }
            return Reply.ephemeral("\(id) has no playbook. Attach one with `/incident playbook \(id) <playbook>`.")
        }
        let steps = StepText(text: text, owners: StepOwners(policy: context.policy, now: context.now))
        var lines: [[Span]] = progresses.map { [.bold(id), .text(" · " + steps.progressLine($0))] }
        if let named = named?.trimmingCharacters(in: .whitespaces), !named.isEmpty {
            // `step <id> show <step>`: that one step in full, open or not.
            guard let target = StepTarget.named(named, in: progresses).first else {
                let references = progresses.flatMap { progress in progress.steps.map { progress.reference($0) } }
                let hint = Suggestions.closest(to: named, in: references).first.map { " Did you mean `\($0)`?" } ?? ""
                return UserError("\(id) has no step “\(named)”.\(hint) Steps: \(references.joined(separator: ", ")).").reply
            }
            var actions: [MessageAction] = []
            if target.progress.isOpen(target.step), incident.state != .resolved {
                let reference = target.progress.reference(target.step)
                let approving = target.progress.status(of: target.step.id) == .awaitingApproval
                actions.append(
                    approving
                        ? MessageAction(name: "step-approve", label: "Approve step", command: "step \(id) approve \(reference)")
                        : MessageAction(name: "step-done", label: "Step done", command: "step \(id) done \(reference)", style: .primary))
            }
            return Reply(.ephemeral, Message(lines: lines + steps.current(target.step, target.progress), actions: actions))
        }
        lines += steps.open(progresses)
        return Reply(
            .ephemeral, Message(lines: lines, actions: IncidentActions.steps(progresses, incident: incident, policy: context.policy)))
    }

    /// `list …`: one line per incident, with its most pressing running clock.
    public static func list(_ incidents: [Incident], clocks: [Int: [ClockRow]] = [:], title: String, context: CommandContext) -> Reply {
        guard !incidents.isEmpty else { return Reply.ephemeral("No \(title).") }
        var lines: [[Span]] = [[.bold("\(incidents.count) \(title)")]]
        lines += incidents.map { row($0, clocks: clocks[$0.number] ?? [], context: context) }
        return Reply(.ephemeral, Message(lines: lines))
    }

    /// `list followups`: each resolved incident with its unfinished steps, owners and deadlines.
    public static func followUps(_ incidents: [Incident], title: String, context: CommandContext) -> Reply {
        guard !incidents.isEmpty else { return Reply.ephemeral("No \(title).") }
        let steps = StepText(text: context.text, owners: StepOwners(policy: context.policy, now: context.now))
        var lines: [[Span]] = [[.bold("\(incidents.count) \(title)")]]
        for incident in incidents {
            lines.append(row(incident, context: context))
            guard Authorization.mayShowInReply(incident, context: context) else { continue }
            for progress in context.catalog.progresses(of: incident) {
                lines += progress.unsettledSteps.map { steps.brief($0, progress) }
            }
        }
        return Reply(.ephemeral, Message(lines: lines))
    }

    /// `INC-42 · open · SEV1 · fraud — Title · owner @ava · ack 3 min overdue`.
    static func row(_ incident: Incident, clocks: [ClockRow] = [], context: CommandContext) -> [Span] {
        let text = context.text
        var spans: [Span] = [
            .bold(text.id(incident)),
            .text(" · \(incident.state.rawValue) · \(text.classification(incident)) — \(text.title(incident, for: context.actor))"),
        ]
        // Someone not cleared, or a shared thread, learns no more than the channel says: ID, state,
        // severity, category.
        guard Authorization.mayShowInReply(incident, context: context) else { return spans }
        if let owner = incident.owner { spans += [.text(" · owner "), .mention(owner)] }
        if incident.state != .resolved {
            if context.catalog.awaitsChoice(incident) { spans.append(.text(" · playbook not chosen")) }
            let running = clocks.filter { $0.state == .running && ![.escalation, .reminder, .release].contains($0.kind) }.sorted {
                $0.dueAt < $1.dueAt
            }
            if let next = running.first {
                spans.append(.text(" · \(ClockText(text: text).describe(next, playbooks: context.catalog.progresses(of: incident)))"))
            }
        } else if let at = incident.resolvedAt {
            spans.append(.text(" · resolved \(text.time(at))"))
        }
        return spans
    }

    /// One timeline entry, without its time.
    static func describe(_ event: IncidentEvent, mayRead: Bool, policy: Policy) -> [Span] {
        let by: [Span] = [.text(" by "), .mention(event.actor)]
        let p = event.payload
        func free(_ key: String, _ label: String) -> [Span] {
            guard let value = p[key], !value.isEmpty else { return [] }
            return [.text(mayRead ? "\(label)\(value)" : "\(label)(restricted)")]
        }
        switch event.kind {
        case .opened: return [.text("opened")] + by
        case .acknowledged: return [.text("acknowledged")] + by
        case .assigned:
            return [.text("assigned to "), .mention(UserRef(storedID: p["owner_id"] ?? "?", name: p["owner_name"] ?? "?"))] + by
        case .escalated: return [.text("escalated to level \(p["level"] ?? "?")")] + by + free("reason", ": ")
        case .severityChanged: return [.text("severity \(p["from"] ?? "?") → \(p["to"] ?? "?")")] + by
        case .noted: return [.text("note")] + by + free("text", ": ")
        case .resolved: return [.text("resolved")] + by + free("resolution", ": ")
        case .reopened: return [.text("reopened")] + by + free("reason", ": ")
        case .stepCompleted:
            return [.text("step \(p["step"] ?? "?") \(p["awaiting_approval"] == "true" ? "marked done" : "done")")] + by
        case .stepSkipped: return [.text("step \(p["step"] ?? "?") skipped")] + by + free("reason", ": ")
        case .stepApproved: return [.text("step \(p["step"] ?? "?") approved")] + by
        case .playbookAdded: return [.text("playbook \(p["playbook"] ?? "?") added")] + by
        case .playbookChanged: return [.text("playbook \(p["from"].flatMap { $0.isEmpty ? nil : $0 } ?? "none") → \(p["to"] ?? "?")")] + by
        case .clockWarned: return [.text("\(p["clock"] ?? "clock") warning")]
        case .clockBreached: return [.text("\(p["clock"] ?? "clock") breached")]
        case .clockWaived: return [.text("\(p["clock"] ?? "legal") clock waived")] + by + free("reason", ": ")
        case .reclassified: return [.text("reclassified \(p["from"] ?? "?") → \(p["to"] ?? "?")")] + by
        case .preserved: return [.text("preserved “\(p["what"] ?? p["step"] ?? "?")” for \(p["for"] ?? "?")")] + by
        case .held: return [.text("legal hold placed")] + by + free("reason", ": ")
        case .holdReleased: return [.text("legal hold lifted")] + by + free("reason", ": ")
        }
    }
}
