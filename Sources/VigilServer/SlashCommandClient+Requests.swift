import Foundation
import VigilChat
import VigilCore
import VigilHTTP
import VigilJSON

extension SlashCommandClient {
    /// The request `platform` would send for `text`, signed or authorised as it would be.
    func request(_ text: String, user: UserRef, channel: String, now: Date, triggerID: String) throws(UserError) -> HTTPRequest {
        let channelID = "C0" + channel.uppercased().filter { $0.isLetter || $0.isNumber }
        switch credentials {
        case let .slack(signingSecret):
            let body = form(text, user: user, channel: channel, channelID: channelID, triggerID: triggerID)
            let timestamp = String(Int64(now.timeIntervalSince1970))
            let signature = SlackSignature(signingSecret: signingSecret).sign(timestamp: timestamp, body: body)
            return .post(
                url,
                headers: [
                    HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                    HTTPHeader("X-Slack-Request-Timestamp", timestamp), HTTPHeader("X-Slack-Signature", signature),
                ], body: body)
        case let .mattermost(token):
            return .post(
                url,
                headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded"), HTTPHeader("Authorization", "Token \(token)")],
                body: form(text, user: user, channel: channel, channelID: channelID, triggerID: triggerID))
        case let .discord(signer, applicationID, specs):
            let typed = try DiscordTypedCommand.interaction(typed: text, specs: specs) { Self.localID(name: $0, platform: "discord") }
            let interaction: JSONValue = [
                "id": .string(Self.localID(name: triggerID, platform: "discord")), "type": 2, "token": .string(triggerID),
                "application_id": .string(applicationID), "channel_id": .string(channelID),
                "channel": ["id": .string(channelID), "name": .string(channel)],
                "member": ["user": ["id": .string(user.id), "username": .string(user.name), "global_name": .string(user.name)]],
                "data": typed.data, "version": 1,
            ]
            let body = interaction.serialized()
            let timestamp = String(Int64(now.timeIntervalSince1970))
            return .post(
                url,
                headers: [
                    HTTPHeader("Content-Type", "application/json"), HTTPHeader("X-Signature-Timestamp", timestamp),
                    HTTPHeader("X-Signature-Ed25519", signer.signature(timestamp: timestamp, body: body)),
                ], body: body)
        case let .teams(securityToken):
            let activity: JSONValue = [
                "type": "message", "id": .string(triggerID), "timestamp": .string(ISO8601DateFormatter().string(from: now)),
                "from": ["id": .string(user.id), "name": .string(user.name)], "conversation": ["id": .string(channelID)],
                "channelData": ["teamsChannelId": .string(channelID)],
                "text": .string("<at>Vigil</at> " + Self.htmlEscaped(text)),
                "entities": [["type": "mention", "text": "<at>Vigil</at>", "mentioned": ["id": "28:vigil", "name": "Vigil"]]],
            ]
            let body = activity.serialized()
            return .post(
                url,
                headers: [
                    HTTPHeader("Content-Type", "application/json"),
                    HTTPHeader("Authorization", TeamsSignature(securityToken: securityToken).sign(body: body)),
                ], body: body)
        }
    }

    /// A slash command's form body, in the field names Slack and Mattermost share.
    private func form(_ text: String, user: UserRef, channel: String, channelID: String, triggerID: String) -> [UInt8] {
        let form = FormBody(fields: [
            ("token", "vigil-send"), ("team_id", "T0LOCAL"), ("team_domain", "local"), ("channel_id", channelID),
            ("channel_name", channel), ("user_id", user.id), ("user_name", user.name), ("command", "/incident"), ("text", text),
            ("response_url", ""), ("trigger_id", triggerID),
        ])
        return Array(form.encoded().utf8)
    }

    /// Teams sends a message's text as HTML.
    static func htmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
