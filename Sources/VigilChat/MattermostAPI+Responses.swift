import Foundation
import VigilJSON

// MARK: - Reading Mattermost's answers

/// Mattermost answers with the HTTP status: 2xx and the object (post, channel, user, member,
/// or `{"status":"OK"}`), or an error body `{"id","message","detailed_error","status_code"}`.
/// Its rate limiter answers 429 with `Retry-After` and `X-Ratelimit-Reset`, both in seconds.
extension MattermostAPI {
    /// Reads Mattermost's answer to a call made for `operation`.
    ///
    /// - Parameter now: when the answer arrived; an `X-Ratelimit-Reset` that looks like a Unix
    ///   time rather than a number of seconds is measured from it.
    public static func parse(_ response: ChatAPIResponse, operation: ChatAPIOperation, now: Date) -> ChatAPIResult {
        let json = try? JSONValue.parse(response.body)
        if response.status == 429 {
            return .rateLimited(retryAfter: retryAfter(response, now: now))
        }
        if (200..<300).contains(response.status) {
            return .ok(fields(json, operation: operation))
        }
        let id = json?["id"]?.stringValue
        if operation == .createChannel, id == channelExistsError { return .nameTaken }
        // Archiving an archived channel: what was asked is already so.
        if operation == .archiveChannel, let id, id.hasPrefix("api.channel.delete_channel.deleted") {
            return .ok(ChatAPIFields(alreadyDone: true))
        }
        let message = json?["message"]?.stringValue ?? String(decoding: response.body, as: UTF8.self)
        // 4xx is a refusal of this request (bad token, no permission, no such channel) that a
        // retry repeats; 5xx and a timeout are the server's trouble.
        let retryable = response.status >= 500 || response.status == 408
        return .failed(
            ChatAPIFailure(
                code: id ?? "http_\(response.status)", retryable: retryable,
                summary: ChatAPIText.summary(
                    "Mattermost answered HTTP \(response.status) \(id ?? "without an error id"): \(message)", limit: 300)))
    }

    /// The ids a successful answer carries for `operation`.
    static func fields(_ json: JSONValue?, operation: ChatAPIOperation) -> ChatAPIFields {
        switch operation {
        case .postMessage, .updateMessage:
            return ChatAPIFields(messageID: json?["id"]?.stringValue, channelID: json?["channel_id"]?.stringValue)
        case .openDirectChannel, .createChannel, .setTopic:
            return ChatAPIFields(channelID: json?["id"]?.stringValue, channelName: json?["name"]?.stringValue)
        case .inviteToChannel:
            return ChatAPIFields(channelID: json?["channel_id"]?.stringValue, userID: json?["user_id"]?.stringValue)
        case .currentUser:
            return ChatAPIFields(userID: json?["id"]?.stringValue)
        case .pinMessage, .archiveChannel:
            return ChatAPIFields()
        }
    }

    /// `Retry-After` first; else `X-Ratelimit-Reset`, seconds until the window resets. Some
    /// proxies send a Unix time there instead, recognised by its size.
    static func retryAfter(_ response: ChatAPIResponse, now: Date) -> Duration? {
        if let wait = ChatAPIText.seconds(response.header("Retry-After")) { return wait }
        guard let reset = ChatAPIText.number(response.header("X-Ratelimit-Reset")) else { return nil }
        return ChatAPIText.duration(reset >= 1_000_000_000 ? reset - now.timeIntervalSince1970 : reset)
    }
}
