import Foundation
import Logging
import VigilChat
import VigilHTTP

/// Sends a reply that missed its platform's deadline to the address the platform gave for it
/// (Slack's `response_url`, Discord's interaction webhook), with a few quick retries.
///
/// These addresses expire within minutes (Discord's after 15, Slack's after 30), so the retries
/// are short, and a reply that still fails is logged and dropped: the command itself has
/// committed, and a state change is announced in the incidents channel through the outbox
/// whatever happens here.
struct LaterReplySender: Sendable {
    let transport: any HTTPTransport
    let logger: Logger
    /// Pauses between attempts; a 429's `Retry-After` replaces one when it is longer, up to a minute.
    var pauses: [Duration] = [.seconds(1), .seconds(4), .seconds(15)]

    func send(_ reply: LaterReply, platform: String) async {
        let request = HTTPRequest(
            method: reply.method, url: reply.url, headers: [HTTPHeader("Content-Type", "application/json")],
            body: reply.body.serialized(), timeout: .seconds(10))
        var failure = ""
        for attempt in 0...pauses.count {
            var pause = attempt < pauses.count ? pauses[attempt] : .zero
            do {
                let response = try await transport.send(request)
                switch response.status {
                case 200..<300:
                    return
                case 429:
                    failure = "HTTP 429"
                    if let wait = response.retryAfter(now: Date()), wait > pause { pause = min(wait, .seconds(60)) }
                case 408, 500...:
                    failure = "HTTP \(response.status)"
                default:
                    // 400, 401, 404: an expired or unknown token, or a body the platform refuses.
                    logger.error(
                        "a deferred reply was refused",
                        metadata: [
                            "platform": "\(platform)", "status": "\(response.status)", "body": "\(String(response.text.prefix(200)))",
                        ])
                    return
                }
            } catch is CancellationError {
                return
            } catch {
                failure = String(describing: error)
            }
            guard attempt < pauses.count else { break }
            do { try await Task.sleep(for: pause) } catch { return }
        }
        logger.error("a deferred reply could not be sent", metadata: ["platform": "\(platform)", "error": "\(failure)"])
    }
}
