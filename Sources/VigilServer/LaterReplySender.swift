import Foundation
import Logging
import VigilChat
import VigilCore
import VigilJSON

/// Sends a reply that missed its platform's deadline to the address the platform gave for it
/// (Slack's `response_url`, Discord's interaction webhook) through the outbox: the reply is
/// written as a durable row (``OutboxItem/init(reply:incident:)``) and the delivery service posts
/// it, retrying as it retries channel posts, and across a restart.
///
/// These addresses expire (Slack's after 30 minutes, Discord's after 15), so each row carries
/// its platform's window, past which delivery dead-letters it untried. The command itself has
/// committed before this runs, and a state change is announced in the incidents channel
/// whatever happens here.
struct LaterReplySender: Sendable {
    let store: any OutboxQueue
    /// Wakes this process's delivery service once the row is durable.
    let outboxWritten: @Sendable () -> Void
    let now: @Sendable () -> Date
    let logger: Logger

    /// How long `platform` accepts a reply at its per-request address, counted from when the
    /// reply is queued (a little after the request, so never longer than the platform allows
    /// in practice: the delivery service's first attempt follows at once).
    static func replyWindow(for platform: String) -> Duration {
        switch platform {
        case "slack": .seconds(30 * 60)
        // Discord's interaction token; any other platform gets the shorter window too.
        default: .seconds(15 * 60)
        }
    }

    /// Queues `reply` durably and wakes delivery; returns once the row is written. A failure to
    /// write it is logged (never the address, which holds a credential) and the reply is lost.
    func send(_ reply: LaterReply, platform: String) async {
        let at = now()
        let destination = ReplyDestination(
            platform: platform, method: reply.method, url: reply.url, body: reply.body.serializedString(),
            expiresAt: at.adding(Self.replyWindow(for: platform)))
        do {
            let id = try await store.enqueue(OutboxItem(reply: destination), at: at)
            outboxWritten()
            logger.debug("deferred reply queued", metadata: ["platform": "\(platform)", "row": "\(id)"])
        } catch {
            logger.error(
                "a deferred reply could not be queued", metadata: ["platform": "\(platform)", "error": "\(String(reflecting: error))"])
        }
    }
}
