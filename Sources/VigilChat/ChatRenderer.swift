import VigilCore
import VigilJSON

/// Turns the core's messages into one platform's JSON.
public protocol ChatRenderer: Sendable {
    /// The body of the immediate HTTP reply to a slash command.
    func replyBody(_ reply: Reply) -> JSONValue
    /// The body posted to an incoming webhook.
    func webhookBody(_ message: Message) -> JSONValue
}
