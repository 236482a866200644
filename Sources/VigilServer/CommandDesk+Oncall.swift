import Foundation
import VigilCore

/// `oncall`, and the on-call overrides made from chat: the policy each command sees, and the
/// `cover`, `overrides`, `approve` and `cancel` forms.
///
/// Overrides are read from the store for every command that may compute who is on call (one
/// indexed read of the overrides not cancelled that end after now), never cached: a cache
/// would let one replica page the person another replica's `oncall cancel` has just taken off.
extension CommandDesk {
    /// The policy with the store's overrides in force merged into its rotations; the policy as
    /// configured when there are no rotations to merge into.
    func policy(withOverridesAt now: Date) async throws -> Policy {
        guard !policy.oncall.isEmpty else { return policy }
        return policy.applying(try await store.oncallOverrides(activeAfter: now))
    }

    /// Answers any `oncall` command: the view (with the overrides already in `context.policy`),
    /// or an override's creation, approval, cancellation or listing.
    func oncall(_ command: ParsedCommand, requestID: String, context: CommandContext) async throws -> Reply {
        do {
            switch try OncallOverrides.request(command, context: context, requestID: requestID) {
            case let .show(schedule):
                return OncallView.reply(schedule: schedule, context: context)
            case .list:
                return OncallOverridesView.list(try await store.oncallOverrides(activeAfter: context.now), context: context)
            case let .cover(new):
                let stored = try await store.recordOncallOverride(new)
                logger.info(
                    "on-call override recorded",
                    metadata: [
                        "override": "\(stored.id)", "schedules": "\(stored.schedules.joined(separator: ","))",
                        "by": "\(stored.createdBy.storedID)", "pending": "\(stored.isPending)",
                    ])
                return OncallOverridesView.created(stored, context: context)
            case let .approve(id):
                _ = try OncallOverrides.approvable(try await store.oncallOverride(id: id), id: id, context: context)
                guard try await store.approveOncallOverride(id: id, by: context.actor, at: context.now) else {
                    // Someone cancelled or approved it between the read and the write: say what happened.
                    _ = try OncallOverrides.approvable(try await store.oncallOverride(id: id), id: id, context: context)
                    return Reply.ephemeral("Override \(id) changed while you approved it; see `/incident oncall overrides`.")
                }
                guard let approved = try await store.oncallOverride(id: id) else { return Reply.ephemeral("Override \(id) is gone.") }
                logger.info("on-call override approved", metadata: ["override": "\(id)", "by": "\(context.actor.storedID)"])
                return OncallOverridesView.approved(approved, context: context)
            case let .cancel(id):
                let found = try OncallOverrides.cancellable(try await store.oncallOverride(id: id), id: id, context: context)
                guard try await store.cancelOncallOverride(id: id, by: context.actor, at: context.now) else {
                    _ = try OncallOverrides.cancellable(try await store.oncallOverride(id: id), id: id, context: context)
                    return Reply.ephemeral("Override \(id) changed while you cancelled it; see `/incident oncall overrides`.")
                }
                logger.info("on-call override cancelled", metadata: ["override": "\(id)", "by": "\(context.actor.storedID)"])
                return OncallOverridesView.cancelled(found, context: context)
            }
        } catch let error as UserError {
            return error.reply
        }
    }
}
