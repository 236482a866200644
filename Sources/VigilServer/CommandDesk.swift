import Foundation
import Logging
import VigilCore

/// Runs one slash command from a verified ``Invocation`` to its ``Reply``: idempotency, parsing,
/// the core's decision, and one store transaction. Never throws: refusals and failures become
/// ephemeral replies, and nothing is written unless the whole command is accepted.
public struct CommandDesk: Sendable {
    let store: any IncidentStore
    let parser: CommandParser
    let catalog: PlaybookCatalog
    let now: @Sendable () -> Date
    /// Told after a commit that wrote outbox rows, so delivery starts at once.
    let outboxWritten: @Sendable () -> Void
    /// Told after a commit that wrote clock rows, so the scheduler re-plans its sleep.
    let clocksWritten: @Sendable () -> Void
    let logger: Logger
    /// Queues this desk's commands on one incident, so they do not race each other.
    let gate = IncidentGate()

    public init(
        store: any IncidentStore, parser: CommandParser, catalog: PlaybookCatalog = PlaybookCatalog(),
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
        // Request IDs are only unique per platform.
        let requestID = "\(invocation.platform):\(invocation.requestID)"
        do {
            if let stored = try await store.storedRequest(requestID: requestID) {
                return answerRepeat(of: invocation, requestID: requestID, stored: stored)
            }
            let command: ParsedCommand
            do {
                command = try parser.parse(invocation.text)
            } catch {
                return error.reply
            }
            let context = CommandContext(
                policy: policy, now: now(), actor: invocation.user, platform: invocation.platform,
                channel: invocation.channelName, catalog: catalog)
            // Every command, mutation or view: the spec's role first (the core checks again,
            // with the incident, before it decides anything).
            do {
                try Authorization.requireRole(command.spec, context: context)
            } catch {
                return error.reply
            }
            if command.isMutation {
                return try await mutate(command, requestID: requestID, invocation: invocation, context: context)
            }
            return try await view(command, context: context)
        } catch let error as StoreError where error.kind == .duplicateRequest {
            // The same request ID committed by a concurrent delivery of it, after our lookup.
            guard let stored = error.stored else { return Reply.ephemeral("This request was already handled.") }
            return answerRepeat(of: invocation, requestID: requestID, stored: stored)
        } catch {
            var metadata: Logger.Metadata = ["request": "\(requestID)", "error": "\(String(reflecting: error))"]
            metadata["platform"] = "\(invocation.platform)"
            logger.error("command failed in the store", metadata: metadata)
            return Reply.ephemeral(
                "Vigil could not save this command: its store is not answering. Nothing was changed; please try again, and tell the Vigil operator if it persists.")
        }
    }

    /// A mutation: decide, commit; on a write race decide again on the fresh state, after a
    /// growing, jittered pause, until it commits or ``ConflictBackoff/deadline`` passes. Commands
    /// on one incident queue at its ``IncidentGate`` first, so this desk's own commands do not
    /// race. `open` is checked in full before a number is reserved, so a refusal never leaves a gap.
    private func mutate(_ command: ParsedCommand, requestID: String, invocation: Invocation, context: CommandContext) async throws -> Reply {
        try await gate.inside(command.incidentNumber) {
            try await decideAndCommit(command, requestID: requestID, invocation: invocation, context: context)
        }
    }

    /// One mutation's decide-and-commit loop, run inside the incident's gate.
    private func decideAndCommit(
        _ command: ParsedCommand, requestID: String, invocation: Invocation, context: CommandContext
    ) async throws -> Reply {
        let backoff = ConflictBackoff()
        let clock = ContinuousClock()
        let giveUpAt = clock.now.advanced(by: backoff.deadline)
        var generator = SystemRandomNumberGenerator()
        var retries = 0
        while true {
            let outcome: Outcome
            do {
                if command.subcommand == .open {
                    let plan = try Lifecycle.planOpen(command, context: context)
                    outcome = plan.outcome(number: try await store.reserveIncidentNumber())
                } else {
                    var incident: Incident?
                    var clocks: [ClockRow] = []
                    if let number = command.incidentNumber {
                        incident = try await store.incident(number)
                        clocks = try await store.clocks(of: number)
                    }
                    outcome = try Lifecycle.apply(command, to: incident, clocks: clocks, context: context)
                }
            } catch let error as UserError {
                return error.reply
            }
            let work = UnitOfWork(
                requestID: requestID, reply: outcome.reply, incident: outcome.incident,
                expectedSequence: outcome.expectedSequence, events: outcome.events, outbox: outcome.outbox,
                clocks: outcome.clocks, fingerprint: RequestFingerprint(invocation))
            do {
                try await store.commit(work)
            } catch let error as StoreError where error.kind == .conflict {
                // Another responder changed the incident between our read and write: decide again
                // on the fresh state (their change may make ours a refusal).
                retries += 1
                let pause = backoff.delay(beforeRetry: retries, using: &generator)
                guard clock.now.advanced(by: pause) < giveUpAt else {
                    let id = policy.displayID(outcome.incident.number)
                    logger.warning(
                        "command gave up after write conflicts",
                        metadata: ["incident": "\(id)", "retries": "\(retries)", "platform": "\(invocation.platform)"])
                    return Reply.ephemeral(
                        "\(id) is being changed by several people at once and this command did not get its turn. Nothing was changed; please try again.")
                }
                try await Task.sleep(for: pause)
                continue
            }
            logger.info(
                "command applied",
                metadata: [
                    "incident": "\(policy.displayID(outcome.incident.number))", "command": "\(command.subcommand.rawValue)",
                    "platform": "\(invocation.platform)", "events": "\(outcome.events.count)",
                ])
            if !outcome.outbox.isEmpty { outboxWritten() }
            if !outcome.clocks.isEmpty { clocksWritten() }
            return outcome.reply
        }
    }

    /// A read-only view; nothing is written, so nothing is remembered for idempotency.
    private func view(_ command: ParsedCommand, context: CommandContext) async throws -> Reply {
        do {
            return try await viewReply(command, context: context)
        } catch let error as UserError {
            return error.reply
        }
    }

    /// The incident a view names; a ``UserError`` when there is none or the actor may not see it
    /// (the same words either way: ``Authorization/unavailable(_:context:usage:)``).
    private func namedIncident(_ command: ParsedCommand, context: CommandContext) async throws -> Incident {
        guard let number = command.incidentNumber, let incident = try await store.incident(number) else {
            throw Authorization.unavailable(command.incidentNumber, context: context, usage: command.spec.usage)
        }
        try Authorization.authorize(command, incident: incident, context: context)
        return incident
    }

    /// `report [period] [--share]`: private unless shared, and a shared report never shows a
    /// restricted incident's title, whoever asked.
    private func report(_ command: ParsedCommand, context: CommandContext) async throws -> Reply {
        let period: ReportPeriod
        do {
            period = try (command.period("period") ?? .standard).resolve(now: context.now, timeZone: policy.timeZone)
        } catch {
            throw UserError(error.message, usage: command.spec.usage)
        }
        let shared = command.flag("share")
        let report = try await ReportExport(store: store, policy: policy).report(period, now: context.now)
        let words = ReportText(policy: policy, now: context.now, showsRestrictedTitles: !shared && policy.mayReadRestricted(context.actor))
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
                let incident = try await namedIncident(command, context: context)
                let events = try await store.events(of: incident.number)
                let clocks = try await store.clocks(of: incident.number)
                return IncidentViews.status(of: incident, events: events, clocks: clocks, outbox: nil, context: context)
            }
            let open = try await store.incidents(matching: IncidentFilter(states: [.open, .acknowledged], limit: 500))
            return IncidentViews.overview(of: open, outbox: try await store.outboxHealth(), context: context)
        case .list:
            let scope = command.string("scope").flatMap(ListScope.named) ?? .open
            // A type narrows to its category.
            let category = command.string("category").map { catalog.playbook(forType: $0)?.category ?? $0 }
            var found: [Incident]
            if scope == .breached {
                // Breached means a running clock past its deadline: the clock rows decide.
                found = []
                for number in try await store.overdueIncidents(now: context.now, limit: 50) {
                    if let incident = try await store.incident(number), category == nil || incident.category == category {
                        found.append(incident)
                    }
                }
            } else {
                found = try await store.incidents(matching: scope.filter(category: category, actor: context.actor, people: policy.people))
                if scope == .followups {
                    found = found.filter { incident in catalog.progresses(of: incident).contains { !$0.unsettledSteps.isEmpty } }
                }
            }
            var clocks: [Int: [ClockRow]] = [:]
            for incident in found where incident.state != .resolved { clocks[incident.number] = try await store.clocks(of: incident.number) }
            if scope == .followups {
                return IncidentViews.followUps(found, title: scope.title(category: category), context: context)
            }
            return IncidentViews.list(found, clocks: clocks, title: scope.title(category: category), context: context)
        case .oncall:
            return OncallView.reply(schedule: command.string("schedule"), context: context)
        case .summary:
            let incident = try await namedIncident(command, context: context)
            return IncidentViews.summary(
                of: incident, events: try await store.events(of: incident.number), clocks: try await store.clocks(of: incident.number),
                context: context)
        case .step:
            try StepRequest.refuseUnknownAction(command)
            let named = command.string("action") == "show" ? command.string("value") : nil
            return IncidentViews.step(of: try await namedIncident(command, context: context), named: named, context: context)
        case .report:
            return try await report(command, context: context)
        case .types:
            return TypesView.reply(category: command.string("category"), catalog: catalog, policy: policy)
        case .open, .ack, .assign, .escalate, .resolve, .reopen, .note, .sev, .playbook, .waive:
            return UserError("`\(command.spec.name)` changes an incident.").reply
        }
    }
}

