import Foundation
import Logging
import VigilCore

/// Repeats of a request ID: the platform retries a request it saw no answer to, and the retry
/// gets the first reply. A request ID that comes back with another sender or another request is
/// not a retry (a replayed or forged ID): it is refused, and never shown the first reply, which
/// may hold another person's view of a restricted incident.
extension CommandDesk {
    /// What a reused request ID with a different sender or request is told.
    static let reusedRequestRefusal = "This request id was already used for a different request; nothing was changed."

    /// The answer to `invocation` when its request ID was already committed as `stored`.
    func answerRepeat(of invocation: Invocation, requestID: String, stored: StoredRequest) -> Reply {
        if stored.isRepeat(of: RequestFingerprint(invocation)) { return stored.reply }
        logger.warning(
            "request id reused for a different request; refused",
            metadata: [
                "request": "\(requestID)", "platform": "\(invocation.platform)", "user": "\(invocation.user.id)",
                "first_sender": "\(stored.fingerprint?.sender ?? "?")",
            ])
        return Reply.ephemeral(Self.reusedRequestRefusal)
    }
}
