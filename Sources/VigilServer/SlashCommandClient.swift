import Foundation
import VigilChat
import VigilCore
import VigilHTTP
import VigilJSON

/// `vigil send`: posts a command to a Vigil server exactly as one chat platform would (its body,
/// its headers, its signature or token) and reads the reply.
public struct SlashCommandClient: Sendable {
    /// What a platform's requests are signed or authorised with.
    public enum Credentials: Sendable {
        case slack(signingSecret: String)
        case mattermost(token: String)
        /// A Discord key pair of one's own (local mode derives one), the application id, and the
        /// specs to map typed text onto `/incident`'s options.
        case discord(signer: DiscordRequestSigner, applicationID: String, specs: [CommandSpec])
        case teams(securityToken: [UInt8])

        /// The platform word: `slack`, `mattermost`, `discord`, `teams`.
        public var platform: String {
            switch self {
            case .slack: "slack"
            case .mattermost: "mattermost"
            case .discord: "discord"
            case .teams: "teams"
            }
        }
    }

    /// The endpoint posted to.
    public var url: String
    public var credentials: Credentials
    public var transport: any HTTPTransport

    /// `url` may be a base (`http://127.0.0.1:8080`): the platform's path is added to it.
    public init(url: String, credentials: Credentials, transport: any HTTPTransport) {
        self.url = Self.endpoint(url, platform: credentials.platform)
        self.credentials = credentials
        self.transport = transport
    }

    /// Slack, as before platforms were a choice.
    public init(url: String, signingSecret: String, transport: any HTTPTransport) {
        self.init(url: url, credentials: .slack(signingSecret: signingSecret), transport: transport)
    }

    /// What the server answered.
    public struct Answer: Sendable {
        public var status: Int
        /// `in_channel` or `ephemeral`, when the reply said.
        public var responseType: String?
        /// The reply's text (or the raw body when it was not the platform's JSON).
        public var text: String
    }

    /// The path each platform posts commands to.
    public static func path(platform: String) -> String {
        switch platform {
        case "mattermost": MattermostAdapter.commandPath
        case "discord": DiscordAdapter.commandPath
        case "teams": TeamsAdapter.commandPath
        default: SlackAdapter.commandPath
        }
    }

    /// `url` with the platform's path added when it has none (`http://host:port` or `…/`).
    public static func endpoint(_ url: String, platform: String) -> String {
        guard let parsed = URLComponents(string: url), parsed.path.isEmpty || parsed.path == "/" else { return url }
        return (url.hasSuffix("/") ? String(url.dropLast()) : url) + path(platform: platform)
    }

    /// Sends `text` (with or without the leading `/incident`) as `user` in `channel`.
    public func send(_ text: String, user: UserRef, channel: String, now: Date, triggerID: String = Self.newTriggerID()) async throws
        -> Answer
    {
        var commandText = text.trimmingCharacters(in: .whitespaces)
        if commandText.hasPrefix("/incident") {
            commandText = String(commandText.dropFirst("/incident".count)).trimmingCharacters(in: .whitespaces)
        }
        let request: HTTPRequest
        do {
            request = try self.request(commandText, user: user, channel: channel, now: now, triggerID: triggerID)
        } catch {
            // Discord's form cannot hold what was typed; say so as the server would.
            return Answer(status: 400, responseType: "ephemeral", text: error.message)
        }
        let response = try await transport.send(request)
        guard response.status == 200, let json = try? JSONValue.parse(response.body) else {
            return Answer(status: response.status, responseType: nil, text: response.text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return Self.answer(json, status: response.status, platform: credentials.platform)
    }

    /// A platform's reply body read back as text.
    static func answer(_ json: JSONValue, status: Int, platform: String) -> Answer {
        switch platform {
        case "discord":
            if json["type"]?.intValue == 5 {
                return Answer(
                    status: status, responseType: "ephemeral", text: "(deferred: the reply will replace Discord's \"thinking\" message)")
            }
            let flags = json["data"]?["flags"]?.intValue ?? 0
            return Answer(
                status: status, responseType: flags & 64 != 0 ? "ephemeral" : "in_channel",
                text: json["data"]?["content"]?.stringValue ?? "")
        case "teams":
            let blocks = json["attachments"]?.arrayValue?.first?["content"]?["body"]?.arrayValue ?? []
            return Answer(
                status: status, responseType: "in_channel", text: blocks.compactMap { $0["text"]?.stringValue }.joined(separator: "\n"))
        default:
            // Slack's text is mrkdwn with `&`, `<`, `>` escaped; show it as Slack would.
            return Answer(
                status: status, responseType: json["response_type"]?.stringValue,
                text: Tokenizer.decodeEntities(json["text"]?.stringValue ?? ""))
        }
    }

    /// A trigger ID shaped like Slack's.
    public static func newTriggerID() -> String {
        "\(Int.random(in: 100_000_000...999_999_999)).\(Int.random(in: 10_000_000...99_999_999)).\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
    }

    /// A user from `--user`: a mention (`<@U123|ava>`, `@ava`) or a plain name, with an ID
    /// derived from the name when none was given.
    public static func user(from text: String, platform: String = "slack") -> UserRef {
        if let mention = UserMention.parse(text), mention.id != mention.name { return mention }
        let name = UserMention.parse(text)?.name ?? (text.isEmpty ? "you" : text)
        return UserRef(id: localID(name: name, platform: platform), name: name)
    }

    /// The ID a name stands for on `platform` in local mode: `vigil send` and the local policy
    /// derive it alike, so the local user holds every role on every platform.
    public static func localID(name: String, platform: String) -> String {
        let word = name.filter { $0.isLetter || $0.isNumber }
        switch platform {
        case "mattermost": return "mm" + word.lowercased()
        case "teams": return "29:local-" + word.lowercased()
        case "discord":
            // A snowflake: 18 digits, from FNV-1a of the name, stable across runs.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in name.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return "1" + Digits.padded(Int(hash % 100_000_000_000_000_000), 17)
        default: return "U" + word.uppercased()
        }
    }
}
