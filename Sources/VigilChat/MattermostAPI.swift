import VigilCore
import VigilJSON

/// Builds Mattermost REST API v4 calls for a bot account's token (`mattermost.bot_token`):
/// posting and threading, editing (redaction through ``patchPost(postID:message:)``), direct
/// channels and per-incident channels. ``parse(_:operation:now:)`` reads the answers.
///
/// Posts render exactly as ``MattermostRenderer`` renders webhook posts (the same escaping, the
/// same buttons under `props.attachments`), so what a user typed notifies no one here either.
public struct MattermostAPI: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Channel names (the URL part): at most 64 characters.
    public static let maxChannelNameLength = 64
    /// Display names: at most 64 characters.
    public static let maxDisplayNameLength = 64
    /// The error id Mattermost answers (HTTP 400) when a team already has a channel by that name.
    public static let channelExistsError = "store.sql_channel.save_channel.exists.app_error"

    /// The server's root, without a trailing `/`: `https://chat.example.com`.
    public let serverURL: String
    private let token: String
    private let renderer: MattermostRenderer

    /// - Parameters:
    ///   - serverURL: the Mattermost server (`mattermost.url`).
    ///   - token: the bot account's access token; sent only in the `Authorization` header.
    ///   - renderer: renders posts; give it ``MattermostRenderer/Buttons`` for posts with buttons.
    public init(serverURL: String, token: String, renderer: MattermostRenderer = MattermostRenderer()) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.token = token
        self.renderer = renderer
    }

    // MARK: - Posts

    /// `POST /api/v4/posts`: `message` into `channelID`, as a reply in the thread of `rootID`
    /// when given. Its buttons, if the renderer makes any, go in `props.attachments`.
    public func createPost(channelID: String, message: Message, rootID: String? = nil) -> ChatAPIRequest {
        var body: [(String, JSONValue)] = [("channel_id", .string(channelID)), ("message", .string(renderer.markdown(message)))]
        if let rootID { body.append(("root_id", .string(rootID))) }
        let actions = renderer.actions(message.actions)
        if !actions.isEmpty { body.append(("props", ["attachments": [["actions": .array(actions)]]])) }
        // Not paced: Mattermost limits requests per token across the API, not posts per channel.
        return call("POST", "/posts", .postMessage, .object(body))
    }

    /// `PUT /api/v4/posts/{id}/patch`: replaces the post's text and its buttons; `props` is
    /// always sent, so a message without buttons clears the old ones (a redaction leaves none).
    public func patchPost(postID: String, message: Message) throws(ChatAPIRequestError) -> ChatAPIRequest {
        try Self.checkID(postID)
        let props: JSONValue = ["attachments": [["actions": .array(renderer.actions(message.actions))]]]
        return call("PUT", "/posts/\(postID)/patch", .updateMessage, ["message": .string(renderer.markdown(message)), "props": props])
    }

    /// `POST /api/v4/posts/{id}/pin`.
    public func pin(postID: String) throws(ChatAPIRequestError) -> ChatAPIRequest {
        try Self.checkID(postID)
        return call("POST", "/posts/\(postID)/pin", .pinMessage, nil)
    }

    // MARK: - Users and channels

    /// `GET /api/v4/users/me`: the bot's own user id, which ``openDirectChannel(botUserID:userID:)`` needs.
    public func currentUser() -> ChatAPIRequest {
        call("GET", "/users/me", .currentUser, nil)
    }

    /// `POST /api/v4/channels/direct`: the direct channel between the bot and `userID` (made
    /// on first use, the same one afterwards).
    public func openDirectChannel(botUserID: String, userID: String) -> ChatAPIRequest {
        call("POST", "/channels/direct", .openDirectChannel, [.string(botUserID), .string(userID)])
    }

    /// `POST /api/v4/channels`: a new channel in `teamID`, private (`P`) unless `isPrivate` is false (`O`).
    ///
    /// - Parameters:
    ///   - name: the URL name; see ``isValidChannelName(_:)`` and ``SlackWebAPI/channelName(from:maxLength:)``.
    ///   - displayName: what people see; cut to 64 characters.
    public func createChannel(teamID: String, name: String, displayName: String, isPrivate: Bool) throws(ChatAPIRequestError)
        -> ChatAPIRequest
    {
        guard Self.isValidChannelName(name) else { throw .invalidChannelName(name) }
        let display = SlackRenderer.truncate(displayName, to: Self.maxDisplayNameLength)
        let body: JSONValue = [
            "team_id": .string(teamID), "name": .string(name), "display_name": .string(display), "type": isPrivate ? "P" : "O",
        ]
        return call("POST", "/channels", .createChannel, body)
    }

    /// `POST /api/v4/channels/{id}/members`: adds one person (one call per person works on
    /// every server version; the list form is newer).
    public func addMember(channelID: String, userID: String) throws(ChatAPIRequestError) -> ChatAPIRequest {
        try Self.checkID(channelID)
        return call("POST", "/channels/\(channelID)/members", .inviteToChannel, ["user_id": .string(userID)])
    }

    /// `DELETE /api/v4/channels/{id}`: archives the channel (Mattermost keeps its history).
    public func archive(channelID: String) throws(ChatAPIRequestError) -> ChatAPIRequest {
        try Self.checkID(channelID)
        return call("DELETE", "/channels/\(channelID)", .archiveChannel, nil)
    }

    // MARK: - Names and ids

    /// Whether Mattermost accepts `name` as a channel's URL name: 1 to 64 lowercase letters,
    /// digits, `-` and `_`, starting with a letter or digit.
    public static func isValidChannelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "_") else { return false }
        return name.utf8.count <= maxChannelNameLength && name.utf8.allSatisfy(SlackWebAPI.isChannelNameByte)
    }

    /// Ids go into URL paths, so only letters and digits pass (Mattermost's are 26 of them):
    /// anything else could reach another endpoint.
    static func checkID(_ id: String) throws(ChatAPIRequestError) {
        guard !id.isEmpty, id.utf8.count <= 64, id.utf8.allSatisfy({ $0 < 0x80 && Character(UnicodeScalar($0)).isLetterOrDigit }) else {
            throw .invalidID(id)
        }
    }

    // MARK: - Building

    private func call(_ method: String, _ path: String, _ operation: ChatAPIOperation, _ body: JSONValue?) -> ChatAPIRequest {
        var headers: [ChatAPIRequest.Header] = [.init("Authorization", "Bearer \(token)")]
        if body != nil { headers.insert(.init("Content-Type", "application/json; charset=utf-8"), at: 0) }
        return ChatAPIRequest(
            method: method, url: serverURL + "/api/v4" + path, headers: headers, body: body?.serialized() ?? [], platform: .mattermost,
            operation: operation,
            // Mattermost's limiter counts requests per token (or address) across the whole API.
            rateLimitScope: "mattermost:\(serverURL)")
    }

    /// `MattermostAPI(https://chat.example.com)`: never the token.
    public var description: String { "MattermostAPI(\(serverURL))" }
    public var debugDescription: String { description }
    /// `dump(api)` shows the server alone.
    public var customMirror: Mirror { Mirror(self, children: ["serverURL": serverURL]) }
}

extension Character {
    fileprivate var isLetterOrDigit: Bool { isLetter || isNumber }
}
