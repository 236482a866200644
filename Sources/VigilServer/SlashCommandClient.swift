import Foundation
import VigilChat
import VigilCore
import VigilHTTP
import VigilJSON

/// `vigil send`: posts a slash command to a Vigil server exactly as Slack would (form body,
/// `X-Slack-Request-Timestamp`, `X-Slack-Signature`) and reads the reply.
public struct SlashCommandClient: Sendable {
    public var url: String
    public var signingSecret: String
    public var transport: any HTTPTransport

    public init(url: String, signingSecret: String, transport: any HTTPTransport) {
        self.url = url
        self.signingSecret = signingSecret
        self.transport = transport
    }

    /// What the server answered.
    public struct Answer: Sendable {
        public var status: Int
        /// `in_channel` or `ephemeral`, when the reply was JSON.
        public var responseType: String?
        /// The reply's text fallback (or the raw body when it was not JSON).
        public var text: String
    }

    /// Sends `text` (with or without the leading `/incident`) as `user` in `channel`.
    public func send(_ text: String, user: UserRef, channel: String, now: Date, triggerID: String = Self.newTriggerID()) async throws -> Answer {
        var commandText = text.trimmingCharacters(in: .whitespaces)
        if commandText.hasPrefix("/incident") { commandText = String(commandText.dropFirst("/incident".count)).trimmingCharacters(in: .whitespaces) }
        let form = FormBody(fields: [
            ("token", "vigil-send"), ("team_id", "T0LOCAL"), ("team_domain", "local"),
            ("channel_id", "C0" + channel.uppercased().filter { $0.isLetter || $0.isNumber }), ("channel_name", channel),
            ("user_id", user.id), ("user_name", user.name), ("command", "/incident"), ("text", commandText),
            ("response_url", ""), ("trigger_id", triggerID),
        ])
        let body = Array(form.encoded().utf8)
        let timestamp = String(Int64(now.timeIntervalSince1970))
        let signature = SlackSignature(signingSecret: signingSecret).sign(timestamp: timestamp, body: body)
        let response = try await transport.send(
            .post(
                url,
                headers: [
                    HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                    HTTPHeader("X-Slack-Request-Timestamp", timestamp), HTTPHeader("X-Slack-Signature", signature),
                ], body: body))
        guard let json = try? JSONValue.parse(response.body) else {
            return Answer(status: response.status, responseType: nil, text: response.text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // Slack's text is mrkdwn with `&`, `<`, `>` escaped; show it as Slack would.
        let text = Tokenizer.decodeEntities(json["text"]?.stringValue ?? "")
        return Answer(status: response.status, responseType: json["response_type"]?.stringValue, text: text)
    }

    /// A trigger ID shaped like Slack's.
    public static func newTriggerID() -> String {
        "\(Int.random(in: 100_000_000...999_999_999)).\(Int.random(in: 10_000_000...99_999_999)).\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
    }

    /// A user from `--user`: a mention (`<@U123|ava>`, `@ava`) or a plain name.
    public static func user(from text: String) -> UserRef {
        if let mention = UserMention.parse(text) {
            return mention.id == mention.name ? UserRef(id: "U" + mention.name.uppercased().filter { $0.isLetter || $0.isNumber }, name: mention.name) : mention
        }
        let name = text.isEmpty ? "you" : text
        return UserRef(id: "U" + name.uppercased().filter { $0.isLetter || $0.isNumber }, name: name)
    }
}
