import VigilJSON

// MARK: - Reading Slack's answers

/// Slack answers most refusals with HTTP 200 and `{"ok":false,"error":"<code>"}`, and a rate
/// limit with 429 and `Retry-After` (seconds). The codes decide whether a retry can help.
extension SlackWebAPI {
    /// Codes that mean "Slack had a problem": the same call may work later.
    static let retryableErrors: Set<String> = [
        "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org",
    ]
    /// Codes that mean the thing asked for was already so: success, nothing to do.
    static let alreadyDoneErrors: Set<String> = ["already_in_channel", "already_pinned", "already_archived"]

    /// Reads Slack's answer to a call made for `operation`.
    ///
    /// Any code not known to be transient is final (`channel_not_found`, `not_in_channel`,
    /// `invalid_auth`, `token_revoked`, `msg_too_long`, `invalid_blocks`, …): retrying a refusal
    /// only delays the dead letter that tells an operator to fix the token or the channel.
    public static func parse(_ response: ChatAPIResponse, operation: ChatAPIOperation) -> ChatAPIResult {
        if response.status == 429 {
            return .rateLimited(retryAfter: ChatAPIText.seconds(response.header("Retry-After")))
        }
        let text = String(decoding: response.body, as: UTF8.self)
        guard (200..<300).contains(response.status) else {
            let retryable = response.status >= 500 || response.status == 408
            return .failed(
                ChatAPIFailure(
                    code: "http_\(response.status)", retryable: retryable,
                    summary: "Slack answered HTTP \(response.status): \(ChatAPIText.summary(text))"))
        }
        guard let json = try? JSONValue.parse(response.body), let ok = json["ok"]?.boolValue else {
            // Not Slack's JSON: a proxy's page, or a cut answer. Likely transient.
            return .failed(
                ChatAPIFailure(
                    code: "invalid_response", retryable: true,
                    summary: "Slack answered HTTP \(response.status) without its JSON: \(ChatAPIText.summary(text))"))
        }
        guard !ok else { return .ok(fields(json, operation: operation)) }
        let code = json["error"]?.stringValue ?? "unknown_error"
        if code == "ratelimited" {
            return .rateLimited(retryAfter: ChatAPIText.seconds(response.header("Retry-After")))
        }
        if code == "name_taken", operation == .createChannel { return .nameTaken }
        if alreadyDoneErrors.contains(code) { return .ok(ChatAPIFields(alreadyDone: true)) }
        return .failed(ChatAPIFailure(code: code, retryable: retryableErrors.contains(code), summary: summary(code: code, json)))
    }

    /// The ids a successful answer carries for `operation`.
    static func fields(_ json: JSONValue, operation: ChatAPIOperation) -> ChatAPIFields {
        switch operation {
        case .postMessage, .updateMessage:
            // `channel` is the id even when the call named the channel otherwise.
            return ChatAPIFields(messageID: json["ts"]?.stringValue, channelID: json["channel"]?.stringValue)
        case .openDirectChannel, .createChannel, .inviteToChannel, .setTopic:
            return ChatAPIFields(channelID: json["channel"]?["id"]?.stringValue, channelName: json["channel"]?["name"]?.stringValue)
        case .pinMessage, .archiveChannel, .currentUser:
            return ChatAPIFields()
        }
    }

    /// `slack error invalid_blocks: [ERROR] must be more than 0 characters [json-pointer:/blocks/0/text]`;
    /// Slack's own explanations (`response_metadata.messages`) and a missing scope's name say
    /// what to fix.
    static func summary(code: String, _ json: JSONValue) -> String {
        var parts = ["slack error \(code)"]
        if let needed = json["needed"]?.stringValue { parts.append("needed scope \(needed)") }
        let messages = json["response_metadata"]?["messages"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !messages.isEmpty { parts.append(messages.prefix(3).joined(separator: "; ")) }
        return ChatAPIText.summary(parts.joined(separator: ": "), limit: 300)
    }
}
