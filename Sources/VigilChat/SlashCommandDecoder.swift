import VigilCore

/// Decodes a slash command's form fields (Slack's names, which Mattermost shares) into an
/// ``Invocation``.
public enum SlashCommandDecoder {
    public static func decode(_ form: FormBody, platform: String) throws(ChatRequestError) -> Invocation {
        func required(_ name: String) throws(ChatRequestError) -> String {
            guard let value = form[name], !value.isEmpty else {
                throw ChatRequestError(.malformed, "missing field \(name)")
            }
            return value
        }
        let userID = try required("user_id")
        let command = try required("command")
        let requestID = try required("trigger_id")
        return Invocation(
            platform: platform,
            // The identity is the platform and its user ID; `user_name` is chosen by the user and
            // is kept for display only.
            user: UserRef(id: userID, name: form["user_name"].flatMap { $0.isEmpty ? nil : $0 } ?? userID, platform: platform),
            channelName: form["channel_name"] ?? "",
            channelID: form["channel_id"] ?? "",
            command: command,
            text: form["text"] ?? "",
            responseURL: form["response_url"].flatMap { $0.isEmpty ? nil : $0 },
            requestID: requestID)
    }
}
