import Foundation
import Logging
import VigilCore

/// Runs one slash command from a verified ``Invocation`` to its ``Reply``: parsing, then one
/// unit of work in the store (idempotency, the incident, the core's decision and the write, in
/// one transaction), or one read for a view. Never throws: refusals and failures become
/// ephemeral replies, and nothing is written unless the whole command is accepted.
public struct CommandDesk: Sendable {
    /// What the desk needs of the store: units of work, views, reports, on-call overrides and
    /// incident channels (a command typed in one is about its incident).
    public typealias Store = IncidentCommands & IncidentQueries & ReportReads & OncallOverrideStore & IncidentRoomStore & AuditReads

    let store: any Store
    let parser: CommandParser
    let catalog: PlaybookCatalog
    let now: @Sendable () -> Date
    /// Told after a commit that wrote outbox rows, so delivery starts at once.
    let outboxWritten: @Sendable () -> Void
    /// Told after a commit that wrote clock rows, so the scheduler re-plans its sleep.
    let clocksWritten: @Sendable () -> Void
    let logger: Logger
    /// Where each command's subcommand and outcome are counted; none unless the app sets it.
    public var metrics: VigilMetrics?
    /// The sign-in links `dashboard` sends; none unless the app sets it.
    public var dashboardLinks: DashboardLinks?

    public init(
        store: any Store, parser: CommandParser, catalog: PlaybookCatalog = PlaybookCatalog(),
        now: @escaping @Sendable () -> Date, outboxWritten: @escaping @Sendable () -> Void,
        clocksWritten: @escaping @Sendable () -> Void = {}, logger: Logger
    ) {
        self.store = store
        self.parser = parser
        self.catalog = catalog
        self.now = now
        self.outboxWritten = outboxWritten
        self.clocksWritten = clocksWritten
        self.logger = logger
    }

    var policy: Policy { parser.policy }

    /// Answers one invocation.
    public func handle(_ invocation: Invocation) async -> Reply {
        let (reply, subcommand, outcome) = await answer(invocation)
        metrics?.command(subcommand, outcome: outcome)
        return reply
    }

    /// The reply, with what the metrics count: the subcommand (`nil` when the text names none
    /// Vigil knows, so that typed words never become label values) and how it ended.
    private func answer(_ invocation: Invocation) async -> (Reply, Subcommand?, VigilMetrics.CommandOutcome) {
        // Request IDs are only unique per platform.
        let requestID = "\(invocation.platform):\(invocation.requestID)"
        // Parsing and the role check are pure, and a repeat carries the same text, so they come
        // before the store: a refusal costs no store call at all.
        let command: ParsedCommand
        do {
            command = try parser.parse(invocation.text, room: try await room(of: invocation))
        } catch let error as UserError {
            return (error.reply, Self.namedSubcommand(invocation.text), .refused)
        } catch {
            return (storeFailed(error, requestID: requestID, invocation: invocation), Self.namedSubcommand(invocation.text), .error)
        }
        let subcommand = command.subcommand
        var context = CommandContext(
            policy: policy, now: now(), actor: invocation.user, platform: invocation.platform,
            channel: invocation.channelName, catalog: catalog, repliesArePrivate: invocation.repliesArePrivate)
        context.isButtonPress = invocation.isButtonPress
        // Every command, mutation or view: the spec's role first (the core checks again, with
        // the incident, before it decides anything).
        do {
            try Authorization.requireRole(command.spec, context: context)
        } catch {
            return (error.reply, subcommand, .refused)
        }
        do {
            // Who is on call includes the overrides made from chat (`CommandDesk+Oncall.swift`).
            if command.subcommand != .help { context.policy = try await policy(withOverridesAt: context.now) }
            if command.subcommand == .oncall {
                return (try await oncall(command, requestID: requestID, context: context), subcommand, .applied)
            }
            if command.isMutation {
                let (reply, outcome) = try await mutate(command, requestID: requestID, invocation: invocation, context: context)
                return (reply, subcommand, outcome)
            }
            let (reply, outcome) = try await view(command, context: context)
            return (reply, subcommand, outcome)
        } catch {
            return (storeFailed(error, requestID: requestID, invocation: invocation), subcommand, .error)
        }
    }

    /// The subcommand a command that did not parse starts with, if it is one Vigil knows.
    private static func namedSubcommand(_ text: String) -> Subcommand? {
        text.split(whereSeparator: \.isWhitespace).first.flatMap { Subcommand(rawValue: $0.lowercased()) }
    }

    /// The incident whose own channel the invocation came from, if config gives incidents
    /// channels (otherwise no store call: a refusal still costs none).
    private func room(of invocation: Invocation) async throws -> Int? {
        guard !policy.rooms.isEmpty, !invocation.channelID.isEmpty else { return nil }
        return try await store.room(platform: invocation.platform, channel: invocation.channelID)?.incident
    }

    private func storeFailed(_ error: any Error, requestID: String, invocation: Invocation) -> Reply {
        var metadata: Logger.Metadata = ["request": "\(requestID)", "error": "\(String(reflecting: error))"]
        metadata["platform"] = "\(invocation.platform)"
        logger.error("command failed in the store", metadata: metadata)
        return Reply.ephemeral(
            "Vigil could not save this command: its store is not answering. Nothing was changed; please try again, and tell the Vigil operator if it persists."
        )
    }

    /// What a mutation's unit of work came to.
    private enum MutationResult: Sendable {
        /// Written: the reply, and what the log and the wake-ups need.
        case applied(Reply, incident: Int, events: Int, posted: Bool, clocked: Bool)
        /// Refused by the core; nothing written.
        case refused(Reply)
        /// The request ID was already committed.
        case repeated(StoredRequest)
    }

    /// A mutation: one unit of work. Its `decide` runs inside the store's transaction on the
    /// incident as it is there, so two commands on one incident apply one after the other and
    /// never race. `open` is checked in full before the store is called, and its number is
    /// reserved inside the unit, so a refusal never leaves a gap.
    private func mutate(
        _ command: ParsedCommand, requestID: String, invocation: Invocation, context: CommandContext
    ) async throws -> (Reply, VigilMetrics.CommandOutcome) {
        let plan: OpenPlan?
        let target: UnitTarget
        do {
            if command.subcommand == .open {
                plan = try Lifecycle.planOpen(command, context: context)
                target = .newIncident
            } else {
                plan = nil
                target = command.incidentNumber.map(UnitTarget.incident) ?? .none
            }
        } catch {
            return (error.reply, .refused)
        }
        let fingerprint = RequestFingerprint(invocation)
        let unit = StoreUnit<MutationResult>(key: .request(id: requestID, fingerprint: fingerprint), target: target) { input in
            if let stored = input.stored { return .answer(.repeated(stored)) }
            let outcome: Outcome
            do {
                if let plan {
                    outcome = plan.outcome(number: try input.reserveNumber())
                } else {
                    outcome = try Lifecycle.apply(command, to: input.incident, clocks: input.clocks, context: context)
                }
            } catch let error as UserError {
                return .answer(.refused(error.reply))
            }
            let work = UnitOfWork(
                requestID: requestID, reply: outcome.reply, incident: outcome.incident,
                expectedSequence: outcome.expectedSequence, events: outcome.events, outbox: outcome.outbox,
                clocks: outcome.clocks, fingerprint: fingerprint)
            let result = MutationResult.applied(
                outcome.reply, incident: outcome.incident.number, events: outcome.events.count,
                posted: !outcome.outbox.isEmpty, clocked: !outcome.clocks.isEmpty)
            return .write(work, result)
        }
        switch try await store.perform(unit) {
        case let .refused(reply):
            return (reply, .refused)
        case let .repeated(stored):
            return (answerRepeat(of: invocation, requestID: requestID, stored: stored), .repeated)
        case let .applied(reply, number, events, posted, clocked):
            logger.info(
                "command applied",
                metadata: [
                    "incident": "\(policy.displayID(number))", "command": "\(command.subcommand.rawValue)",
                    "platform": "\(invocation.platform)", "events": "\(events)",
                ])
            if posted { outboxWritten() }
            if clocked { clocksWritten() }
            return (reply, .applied)
        }
    }

    /// A read-only view; nothing is written, so nothing is remembered for idempotency.
    private func view(_ command: ParsedCommand, context: CommandContext) async throws -> (Reply, VigilMetrics.CommandOutcome) {
        do {
            return (try await viewReply(command, context: context), .applied)
        } catch let error as UserError {
            return (error.reply, .refused)
        }
    }

    /// The incident a view names, with its events and clocks from one snapshot; a ``UserError``
    /// when there is none or the actor may not see it (the same words either way:
    /// ``Authorization/unavailable(_:context:usage:)``).
    private func namedIncident(_ command: ParsedCommand, context: CommandContext) async throws -> IncidentRecord {
        guard let number = command.incidentNumber, let record = try await store.incidentRecord(number) else {
            throw Authorization.unavailable(command.incidentNumber, context: context, usage: command.spec.usage)
        }
        try Authorization.authorize(command, incident: record.incident, context: context)
        return record
    }

    /// `report [period] [--share]`: private unless shared, and a shared report never shows a
    /// restricted incident's title, whoever asked. Where replies are not private (Teams), every
    /// report is shared in that sense: the thread sees it.
    private func report(_ command: ParsedCommand, context: CommandContext) async throws -> Reply {
        let period: ReportPeriod
        do {
            period = try (command.period("period") ?? .standard).resolve(now: context.now, timeZone: policy.timeZone)
        } catch {
            throw UserError(error.message, usage: command.spec.usage)
        }
        let shared = command.flag("share")
        let report = try await ReportExport(store: store, policy: policy).report(period, now: context.now)
        let seenByAll = shared || !context.repliesArePrivate
        let showsTitles = !seenByAll && policy.mayReadRestricted(context.actor)
        let words = ReportText(policy: policy, now: context.now, showsRestrictedTitles: showsTitles)
        var message = words.message(report)
        if shared { message.lines[0] += [.text(" · shared by "), .mention(context.actor)] }
        return Reply(shared ? .inChannel : .ephemeral, message)
    }

    private func viewReply(_ command: ParsedCommand, context: CommandContext) async throws -> Reply {
        switch command.subcommand {
        case .help:
            if let name = command.string("subcommand"), let spec = parser.spec(named: name) {
                var reply = HelpText.detail(spec)
                // `help open` names every type it takes.
                if spec.name == "open" { reply.message.lines += TypesView.lines(catalog: catalog, policy: policy) }
                return reply
            }
            return HelpText.overview(parser.specs)
        case .status:
            if command.incidentNumber != nil {
                let record = try await namedIncident(command, context: context)
                return IncidentViews.status(
                    of: record.incident, events: record.events, clocks: record.clocks, outbox: nil, context: context)
            }
            let open = try await store.incidents(matching: IncidentFilter(states: [.open, .acknowledged], limit: 500))
            return IncidentViews.overview(of: open, outbox: try await store.outboxHealth(), context: context)
        case .holds:
            let entries = PreservationLedger.entries(from: try await store.ledgerEvents())
            return try PreservationView.reply(entries, command: command, context: context)
        case .list:
            let scope = command.string("scope").flatMap(ListScope.named) ?? .open
            // A type narrows to its category.
            let category = command.string("category").map { catalog.playbook(forType: $0)?.category ?? $0 }
            var found: [ListedIncident]
            if scope == .breached {
                // Breached means a running clock past its deadline: the clock rows decide.
                found = try await store.breached(now: context.now, category: category, limit: 50)
            } else {
                found = try await store.listed(matching: scope.filter(category: category, actor: context.actor, people: policy.people))
                if scope == .followups {
                    found = found.filter { listed in catalog.progresses(of: listed.incident).contains { !$0.unsettledSteps.isEmpty } }
                }
            }
            if scope == .followups {
                return IncidentViews.followUps(found.map(\.incident), title: scope.title(category: category), context: context)
            }
            let clocks = Dictionary(found.map { ($0.incident.number, $0.clocks) }, uniquingKeysWith: { first, _ in first })
            return IncidentViews.list(found.map(\.incident), clocks: clocks, title: scope.title(category: category), context: context)
        case .oncall:
            return OncallView.reply(schedule: command.string("schedule"), context: context)
        case .summary:
            let record = try await namedIncident(command, context: context)
            return IncidentViews.summary(of: record.incident, events: record.events, clocks: record.clocks, context: context)
        case .step:
            try StepRequest.refuseUnknownAction(command)
            let named = command.string("action") == "show" ? command.string("value") : nil
            return IncidentViews.step(of: try await namedIncident(command, context: context).incident, named: named, context: context)
        case .report:
            return try await report(command, context: context)
        case .dashboard:
            guard let dashboardLinks else { return UserError("The dashboard is not served by this Vigil.").reply }
            return dashboardLinks.reply(context: context)
        case .types:
            return TypesView.reply(category: command.string("category"), catalog: catalog, policy: policy)
        case .open, .ack, .assign, .escalate, .resolve, .reopen, .note, .sev, .playbook, .waive, .type, .hold, .release:
            return UserError("`\(command.spec.name)` changes an incident.").reply
        }
    }
}
