import Foundation
import Logging
import VigilCore

/// Runs one verified intake case into the store: opens an incident, or joins the one its dedup
/// key names, in one unit of work that also records the key (and, with a delivery id, the
/// answer a retry of the same delivery gets back).
///
/// The key is read before the unit, and written inside it under a unique constraint: two
/// deliveries of one case racing each other cannot both open an incident. The loser's unit
/// fails (`keyTaken`) and changes nothing; it reads the key again and joins.
struct IntakeDesk: Sendable {
    /// What intake needs of the store.
    typealias Store = IncidentCommands & IncidentQueries & IntakeKeyStore

    let store: any Store
    /// For the policy with on-call overrides in force, as every command sees it.
    let desk: CommandDesk
    let now: @Sendable () -> Date
    let outboxWritten: @Sendable () -> Void
    let clocksWritten: @Sendable () -> Void
    let logger: Logger

    /// What a delivery came to.
    enum Answer: Sendable, Equatable {
        /// A new incident (201).
        case opened(Int)
        /// The case joined an existing incident (200).
        case joined(Int)
        /// A field is wrong (422); nothing was written.
        case refused(IntakeError)
        /// The delivery id was used before for a different body (409); nothing was written.
        case reusedDeliveryID
    }

    /// Runs `intake`. `delivery` is the sender's id for this delivery (`webhook-id`, Zendesk's
    /// invocation id): a retry with it gets the first answer back and writes nothing.
    func receive(_ intake: IntakeCase, afterResolve: IntakeAfterResolve, delivery: String?, body: [UInt8]) async throws -> Answer {
        let at = now()
        let context = CommandContext(
            policy: try await desk.policy(withOverridesAt: at), now: at, actor: intake.actor, platform: Invocation.intakePlatform,
            channel: "intake:\(intake.source)", catalog: desk.catalog)
        let key = delivery.map {
            UnitKey.request(id: "intake:\(intake.source):\($0)", fingerprint: RequestFingerprint(intake: intake.source, body: body))
        }
        // A taken key means another delivery of the same case committed between our read of the
        // key and our write; the next round reads what it wrote and joins it. A short pause lets
        // the other's commit become visible to reads first.
        let rounds = 5
        for round in 1...rounds {
            do {
                return try await attempt(intake, afterResolve: afterResolve, key: key, context: context)
            } catch let error as StoreError where [.keyTaken, .conflict].contains(error.kind) && round < rounds {
                logger.notice("intake delivery raced another of the same case; joining it", metadata: ["source": "\(intake.source)"])
                try await Task.sleep(for: .milliseconds(5 * round))
            }
        }
        throw StoreError(.conflict, "intake delivery kept conflicting")
    }

    /// What `decide` found, beyond an answer: a target that changed since it was read.
    private enum Decision: Sendable {
        case answer(Answer, posted: Bool, clocked: Bool)
        case stale
    }

    private func attempt(_ intake: IntakeCase, afterResolve: IntakeAfterResolve, key: UnitKey?, context: CommandContext) async throws
        -> Answer
    {
        var existing: Incident?
        if let dedupKey = intake.dedupKey, let number = try await store.intakeIncident(key: dedupKey) {
            existing = try await store.incident(number)
        }
        // Joined while open or acknowledged, and after a resolve when config says reopen;
        // otherwise a new incident, which the key names from then on.
        let joins = existing.map { $0.state != .resolved || afterResolve == .reopen } ?? false
        let target: UnitTarget = joins ? .incident(existing!.number) : .newIncident
        let replacing = existing?.number
        let unit = StoreUnit<Decision>(key: key, target: target) { input in
            if let stored = input.stored {
                guard case let .request(_, fingerprint)? = key, stored.isRepeat(of: fingerprint), let answer = Self.answer(stored.reply)
                else {
                    return .answer(.answer(.reusedDeliveryID, posted: false, clocked: false))
                }
                return .answer(.answer(answer, posted: false, clocked: false))
            }
            let outcome: Outcome
            let answer: Answer
            var intakeKey: IntakeKeyWrite?
            do {
                if joins {
                    // Resolved since it was read, and config wants a new incident for that.
                    guard let incident = input.incident, incident.state != .resolved || afterResolve == .reopen else {
                        return .answer(.stale)
                    }
                    outcome = try Intake.join(intake, incident: incident, clocks: input.clocks, context: context)
                    answer = .joined(incident.number)
                } else {
                    let plan = try Intake.planOpen(intake, context: context)
                    outcome = plan.outcome(number: try input.reserveNumber())
                    answer = .opened(outcome.incident.number)
                    intakeKey = intake.dedupKey.map { IntakeKeyWrite(key: $0, incident: outcome.incident.number, replacing: replacing) }
                }
            } catch let error as IntakeError {
                return .answer(.answer(.refused(error), posted: false, clocked: false))
            }
            var fingerprint: RequestFingerprint?
            if case let .request(_, print)? = key { fingerprint = print }
            var work = UnitOfWork(
                requestID: nil, reply: Self.reply(answer), incident: outcome.incident, expectedSequence: outcome.expectedSequence,
                events: outcome.events, outbox: outcome.outbox, clocks: outcome.clocks, fingerprint: fingerprint)
            work.intakeKey = intakeKey
            return .write(work, .answer(answer, posted: !outcome.outbox.isEmpty, clocked: !outcome.clocks.isEmpty))
        }
        switch try await store.perform(unit) {
        case .stale:
            throw StoreError(.conflict, "the incident was resolved meanwhile")
        case let .answer(answer, posted, clocked):
            if posted { outboxWritten() }
            if clocked { clocksWritten() }
            return answer
        }
    }

    /// The reply stored for a delivery id: no person reads it; a retry turns it back into the
    /// first answer (``answer(_:)``).
    static func reply(_ answer: Answer) -> Reply {
        switch answer {
        case let .opened(number): Reply.ephemeral("intake opened \(number)")
        case let .joined(number): Reply.ephemeral("intake joined \(number)")
        case .refused, .reusedDeliveryID: Reply.ephemeral("intake refused")
        }
    }

    static func answer(_ reply: Reply) -> Answer? {
        guard case let .text(text)? = reply.message.lines.first?.first else { return nil }
        let words = text.split(separator: " ")
        guard words.count == 3, words[0] == "intake", let number = Int(words[2]) else { return nil }
        switch words[1] {
        case "opened": return .opened(number)
        case "joined": return .joined(number)
        default: return nil
        }
    }
}
