import Foundation

/// The incident state machine: each mutating subcommand either yields an ``Outcome`` or refuses
/// with a specific ``UserError``. Pure: it takes `now` and returns values.
public enum Lifecycle {
    /// Applies a parsed mutation of an existing incident. `incident` is the one the command
    /// names; `open` goes through ``planOpen(_:context:)`` instead, because it needs a number.
    /// `clocks` are the incident's clock rows as stored, so that re-timing keeps what was sent.
    public static func apply(
        _ command: ParsedCommand, to incident: Incident?, clocks: [ClockRow] = [], context: CommandContext
    ) throws(UserError) -> Outcome {
        try Authorization.requireRole(command.spec, context: context)
        guard let incident else {
            throw Authorization.unavailable(command.incidentNumber, context: context, usage: command.spec.usage)
        }
        try Authorization.authorize(command, incident: incident, context: context)
        var draft = IncidentDraft(incident: incident, existingClocks: clocks, context: context)
        switch command.subcommand {
        case .ack: try draft.acknowledge()
        case .assign: try draft.assign(mentioned(command.user("user")!, context: context))
        case .escalate: try draft.escalate(reason: command.string("reason"))
        case .resolve: try draft.resolve(resolution: command.string("resolution") ?? "")
        case .reopen: try draft.reopen(reason: command.string("reason"))
        case .note: try draft.note(command.string("text") ?? "")
        case .sev: try draft.changeSeverity(to: command.string("severity")!)
        case .type: try draft.reclassify(to: command.string("type")!, usage: command.spec.usage)
        case .hold: try draft.hold(reason: command.string("reason") ?? "")
        case .release: try draft.releaseHold(reason: command.string("reason") ?? "")
        case .step: try draft.step(command)
        case .playbook:
            let words = (command.string("playbook") ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
            switch (words.first?.lowercased(), words.count) {
            case ("add", 2): try draft.addPlaybook(words[1], usage: command.spec.usage)
            case (_, 1): try draft.switchPlaybook(to: words[0], usage: command.spec.usage)
            default: throw UserError("Name one playbook, or `add` and one.", usage: command.spec.usage)
            }
        case .waive: try draft.waive(command.string("clock")!, reason: command.string("reason") ?? "", usage: command.spec.usage)
        case .open, .status, .list, .help, .oncall, .summary, .report, .types, .holds, .dashboard:
            throw UserError("`\(command.spec.name)` does not change an existing incident.")
        }
        var outcome = draft.outcome
        outcome.outbox += Rooms.rows(
            before: incident, after: outcome.incident, policy: context.policy, catalog: context.catalog, now: context.now)
        // Slack shows the command as typed to the whole channel along with an `in_channel`
        // reply. On a restricted incident that text (a note, a resolution, a reason) may hold
        // the very details the channel must not see, so the reply stays private; the channel
        // learns what happened from the redacted post in the outbox. A button press shows no
        // text, and its in-channel reply is that redacted post, so it may update the message
        // that carried the button.
        if incident.restricted || outcome.incident.restricted, !context.isButtonPress || outcome.reply.visibility != .inChannel {
            outcome.reply.visibility = .ephemeral
        }
        // Someone not cleared who made an incident restricted (added a child-safety playbook,
        // chose a restricted type) learns no more than the channel does from then on.
        if !incident.restricted, outcome.incident.restricted, !context.policy.mayReadRestricted(context.actor) {
            outcome.reply = Reply(.ephemeral, Message(lines: [context.text.tag(outcome.incident), restrictedNotice]))
        } else if outcome.incident.restricted, !context.repliesArePrivate, outcome.reply.visibility == .ephemeral {
            outcome.reply = sharedReply(outcome, context: context)
        }
        return outcome
    }

    /// A restricted incident's reply on a platform whose "private" replies the whole thread sees
    /// (Teams): what the incidents channel was told, never the step titles, reasons or evidence
    /// a private reply would carry.
    static func sharedReply(_ outcome: Outcome, context: CommandContext) -> Reply {
        let posted = outcome.outbox.first { $0.channel == .incidents }?.message
        var message = posted ?? Message(lines: [context.text.tag(outcome.incident)])
        message.lines.append(sharedNotice)
        return Reply(.ephemeral, message)
    }

    /// Why a restricted incident's details are missing from a reply that everyone in the thread sees.
    static let sharedNotice: [Span] = [
        .text(
            "Details of a restricted incident are not shown here: everyone in this thread would see them. Use a platform with private replies."
        )
    ]

    /// What someone not cleared is told about a restricted incident they opened or made restricted.
    static let restrictedNotice: [Span] = [
        .text("Only people with the `restricted` role may see its details or work it; they have been notified in the incidents channel.")
    ]

    /// A person named in the command text. Slack itself writes `<@U0BEN|ben>` (a user cannot type
    /// it: Slack escapes `<`), so on Slack such a mention is Slack's account `U0BEN`. Anything else
    /// typed (`@bob`, or `<@…>` on another platform) has no platform: shown and stored, never trusted.
    static func mentioned(_ user: UserRef, context: CommandContext) -> UserRef {
        context.platform == "slack" && user.id != user.name ? user.on("slack") : user
    }

    /// Checks an `open` completely before a number is reserved, so a refusal never burns one.
    public static func planOpen(_ command: ParsedCommand, context: CommandContext) throws(UserError) -> OpenPlan {
        // Any responder may open, restricted or not: an urgent report is never refused.
        try Authorization.requireRole(command.spec, context: context)
        return try plan(
            title: command.string("title") ?? "", severity: command.string("severity")!, word: command.string("category")!,
            knownAt: { () throws(UserError) in
                try checkedKnownAt(command.optionTime("known"), named: "--known", context: context, usage: command.spec.usage)
            },
            refs: command.optionStrings("ref"), playbookID: command.optionStrings("playbook").first, context: context,
            usage: command.spec.usage)
    }

    /// The checks and the playbook choice every `open` goes through, typed or from an intake
    /// endpoint (``Intake``). `source` is what the announcement says the case came from.
    static func plan(
        title: String, severity: String, word: String, knownAt: () throws(UserError) -> Date, refs: [String], playbookID: String?,
        source: (full: String, redacted: String)? = nil, context: CommandContext, usage: String?
    ) throws(UserError) -> OpenPlan {
        let policy = context.policy
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw UserError("An incident needs a title.", usage: usage) }
        guard title.count <= 200 else {
            throw UserError("The title is \(title.count) characters; keep it under 200 and put details in a note.", usage: usage)
        }
        // The word in the category's place is a category or an incident type (`tco`): a type
        // names its category and its playbook.
        let typed = context.catalog.playbook(forType: word)
        guard let category = policy.category(named: typed?.category ?? word) else {
            throw UserError("Unknown category or type “\(word)”. See `/incident types`.", usage: usage)
        }
        let knownAt = try knownAt()
        var playbook: Playbook?
        var choices: [Playbook] = []
        if let id = playbookID {
            guard let chosen = context.catalog.playbook(id: id) else {
                throw UserError("There is no playbook “\(id)”. \(applicablePlaybooks(category.name, context))", usage: usage)
            }
            guard chosen.applies(toCategory: category.name) else {
                throw UserError(
                    "Playbook “\(chosen.id)” is not for \(category.name) incidents. \(applicablePlaybooks(category.name, context))",
                    usage: usage)
            }
            if let typed, typed.id != chosen.id {
                throw UserError(
                    "Type “\(word)” is the “\(typed.id)” playbook; --playbook \(chosen.id) names another. Give one of the two.",
                    usage: usage)
            }
            playbook = chosen
        } else if let typed {
            playbook = typed
        } else {
            // Only a category: attach its one playbook, or open at once without one and offer
            // the candidates, best match first; never guess between several.
            let candidates = context.catalog.candidates(category: category.name, severity: severity)
            if candidates.count == 1 {
                playbook = candidates[0]
            } else {
                choices = context.catalog.ranked(candidates, title: title)
            }
        }
        return OpenPlan(
            title: title, severity: severity, category: category, knownAt: knownAt, refs: refs, playbook: playbook, choices: choices,
            source: source, context: context)
    }

    /// `--known`, or now. It may not be in the future (a minute of grace for clocks that
    /// differ), nor further back than `known_max_age`: every deadline it starts would already be
    /// long past, and catching up on them all would flood on-call.
    /// `name` is how the sender wrote it (`--known`, or an intake body's `known_at`).
    static func checkedKnownAt(_ knownAt: Date?, named name: String, context: CommandContext, usage: String?) throws(UserError) -> Date {
        guard let knownAt else { return context.now }
        guard knownAt <= context.now.addingTimeInterval(60) else {
            throw UserError(
                "\(name) is in the future (\(context.text.time(knownAt))); it is when the team learned of the incident, so now or earlier.",
                usage: usage)
        }
        let limit = context.policy.knownMaxAge
        // Compared as seconds in Double: no Duration or Int arithmetic on a year-1 date.
        let limitSeconds = Double(limit.components.seconds)
        guard context.now.timeIntervalSince(knownAt) <= limitSeconds else {
            throw UserError(
                "\(name) (\(context.text.time(knownAt))) is more than \(DurationText.format(limit)) ago; it may be at most \(DurationText.format(limit)) back "
                    + "(known_max_age in the config). For an older case, open it without \(name) and say in a note when it began.",
                usage: usage)
        }
        return knownAt
    }

    static func installedPlaybooks(_ context: CommandContext) -> String {
        context.catalog.ids.isEmpty ? "No playbooks are installed." : "Installed: \(context.catalog.ids.joined(separator: ", "))."
    }

    /// `For child-safety incidents: csam.` — the playbooks a command may attach to an incident
    /// of this category.
    static func applicablePlaybooks(_ category: String, _ context: CommandContext) -> String {
        let ids = context.catalog.applicable(toCategory: category).map(\.id)
        return ids.isEmpty
            ? "No installed playbook is for \(category) incidents." : "For \(category) incidents: \(ids.joined(separator: ", "))."
    }
}

/// A validated `open`, waiting for its incident number.
public struct OpenPlan: Sendable {
    let title: String
    let severity: String
    let category: Category
    let knownAt: Date
    let refs: [String]
    let playbook: Playbook?
    /// When `open` named only a category with several playbooks: the candidates, best first.
    let choices: [Playbook]
    /// Where an intake case came from (`Zendesk ticket 4521`), and the same without its
    /// reference for a restricted incident's channel post; `nil` for a typed `open`.
    var source: (full: String, redacted: String)? = nil
    let context: CommandContext

    /// The new incident, its `opened` event, its clocks, its announcement and its first step.
    public func outcome(number: Int) -> Outcome {
        let policy = context.policy
        var incident = Incident(
            number: number, title: title, severity: severity, category: category.name,
            reporter: context.actor, platform: context.platform, channel: context.channel, openedAt: context.now,
            knownAt: knownAt, refs: refs, playbook: playbook?.id,
            restricted: category.restricted || playbook?.restricted == true)
        var payload = ["title": title, "severity": severity, "category": category.name]
        if !refs.isEmpty { payload["refs"] = refs.joined(separator: " ") }
        if knownAt != context.now { payload["known_at"] = String(Int64((knownAt.timeIntervalSince1970 * 1000).rounded())) }
        if let playbook { payload["playbook"] = playbook.id }
        if let source { payload["source"] = source.full }
        let event = EventChain.append(.opened, by: context.actor, at: context.now, payload: payload, to: &incident)

        let text = context.text
        var line = text.headline(incident, "opened")
        if let source {
            // A tool, not a person, reported it: the announcement says where it came from.
            line.append(.text(" · from \(incident.restricted ? source.redacted : source.full)"))
        } else {
            line.append(.text(" · reporter "))
            line.append(.mention(context.actor))
        }
        if !incident.restricted, !refs.isEmpty { line.append(.text(" · ref \(refs.joined(separator: ", "))")) }
        if let ack = ServiceTargets.status(of: incident, kind: .ack, policy: policy) {
            line.append(.text(" · \(text.dueText(ack))"))
        }
        var lines = [line]
        var clocks = ClockPlanner.targetClocks(for: incident, policy: policy)
        if let playbook {
            let progress = PlaybookProgress(playbook: playbook, incident: incident)
            clocks += progress.startingClocks().map { ClockPlanner.schedule($0, policy: policy, incident: incident) }
            lines += StepText(text: text, owners: StepOwners(policy: policy, now: context.now)).attached(progress)
        } else if !choices.isEmpty {
            line.append(.text(" · playbook not chosen"))
            lines[0] = line
            lines += PlaybookChoice.lines(choices, incident: incident, text: text)
            clocks.append(PlaybookChoice.reminderClock(for: incident, policy: policy))
        }
        if let legal = ClockPlanner.categoryLegalClock(for: incident, policy: policy, playbook: playbook) {
            clocks.append(legal)
            if !incident.restricted || playbook == nil {
                lines.append([.text("Legal clock: \(legal.rule ?? "") due \(text.time(legal.dueAt))")])
            }
        }
        if let escalation = ClockPlanner.escalationClock(for: incident, policy: policy, reachedAt: context.now) {
            clocks.append(escalation)
        }
        let buttons = IncidentActions.lifecycle(incident, policy: policy)
        let stepButtons =
            playbook.map { IncidentActions.steps([PlaybookProgress(playbook: $0, incident: incident)], incident: incident, policy: policy) }
            ?? []
        let message = Message(lines: lines, actions: buttons + stepButtons)
        let channelLine = Message(lines: [line], actions: buttons)
        var stepPages: [OutboxItem] = []
        if let playbook {
            let progress = PlaybookProgress(playbook: playbook, incident: incident)
            stepPages = StepPages.pages(
                opened: progress.openSteps.map { (progress, $0) }, incident: incident, actor: context.actor, policy: policy,
                now: context.now)
        }
        // Its own channel, where rules give it one.
        let room = Rooms.rows(before: nil, after: incident, policy: policy, catalog: context.catalog, now: context.now)
        // A restricted incident's playbook is not described in open channels: the channel gets
        // the redacted headline, the person who opened it gets the first step privately.
        let restrictedSteps = incident.restricted && lines.count > 1
        if incident.restricted, !policy.mayReadRestricted(context.actor) {
            // Someone not cleared may report it, and then sees no more than the channel does:
            // ID, severity and category; the cleared people take it from here.
            let notice = Lifecycle.restrictedNotice
            return Outcome(
                incident: incident, expectedSequence: 0, events: [event],
                outbox: [OutboxItem(channel: .incidents, incident: number, message: channelLine)] + room + stepPages,
                reply: Reply(.ephemeral, Message(lines: [text.headline(incident, "opened"), notice])), clocks: clocks)
        }
        return Outcome(
            incident: incident, expectedSequence: 0, events: [event],
            outbox: [OutboxItem(channel: .incidents, incident: number, message: restrictedSteps ? channelLine : message)] + room
                + stepPages,
            // Private for every restricted incident: an `in_channel` reply would also show the
            // channel the typed command, title included. Where the whole thread sees a private
            // reply (Teams), it says no more than the channel post.
            reply: incident.restricted
                ? (context.repliesArePrivate
                    ? Reply(.ephemeral, message) : Reply(.ephemeral, Message(lines: [line, Lifecycle.sharedNotice], actions: buttons)))
                : Reply(.inChannel, message),
            clocks: clocks)
    }
}
