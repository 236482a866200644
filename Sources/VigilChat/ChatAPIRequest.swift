/// Which chat platform's Web API a ``ChatAPIRequest`` calls: it decides how the answer is read.
public enum ChatAPIPlatform: String, Sendable, Hashable {
    case slack
    case mattermost
}

/// What a ``ChatAPIRequest`` asks the platform to do, the same words for every platform, so the
/// caller (and the answer's parser) need not know Slack's method names or Mattermost's paths.
public enum ChatAPIOperation: String, Sendable, Hashable {
    /// Post a message, possibly in a thread (Slack `chat.postMessage`, Mattermost `POST /posts`).
    case postMessage
    /// Replace an earlier message's text and buttons (`chat.update`, `PUT /posts/{id}/patch`).
    case updateMessage
    /// Open (or find) the direct-message channel with a person (`conversations.open`, `POST /channels/direct`).
    case openDirectChannel
    /// Create a channel (`conversations.create`, `POST /channels`).
    case createChannel
    /// Add people to a channel (`conversations.invite`, `POST /channels/{id}/members`).
    case inviteToChannel
    /// Pin a message in its channel (`pins.add`, `POST /posts/{id}/pin`).
    case pinMessage
    /// Archive a channel (`conversations.archive`, `DELETE /channels/{id}`).
    case archiveChannel
    /// Set a channel's topic (`conversations.setTopic`).
    case setTopic
    /// Who the bot itself is (Mattermost `GET /users/me`), needed to open a direct channel.
    case currentUser
}

/// One outbound chat-platform API call as plain data: what to send, and enough about it to read
/// the answer (``parse(_:now:)``) and to pace it. Building one performs no I/O; the app sends it
/// through its HTTP transport, which VigilChat does not import.
///
/// `description` and `debugDescription` never show the bearer token, so a request may be logged.
public struct ChatAPIRequest: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// One header field. Printing it hides the value of `Authorization`.
    public struct Header: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        /// `Authorization: Bearer <redacted>`: the scheme stays, as it tells a reader which kind
        /// of credential was sent; the credential does not.
        public var description: String {
            guard name.lowercased() == "authorization" else { return "\(name): \(value)" }
            let scheme = value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            return "\(name): \(scheme.isEmpty ? "" : scheme + " ")<redacted>"
        }

        public var debugDescription: String { description }

        /// `dump(request)` walks mirrors, not descriptions: this one shows the redacted form too.
        public var customMirror: Mirror { Mirror(self, children: ["header": description]) }
    }

    /// `GET`, `POST`, `PUT` or `DELETE`.
    public var method: String
    /// The absolute URL. Neither platform puts a credential in it; the token travels in a header.
    public var url: String
    /// Header fields, in the order they are sent.
    public var headers: [Header]
    /// The body; empty for none.
    public var body: [UInt8]
    /// Whose API this calls, and so how its answer reads.
    public var platform: ChatAPIPlatform
    /// What it asks for, and so which fields of the answer matter.
    public var operation: ChatAPIOperation
    /// For a message post, the channel it goes to (`slack:C0123`): posts with the same key are
    /// spaced out, because Slack takes about one message per second per channel. `nil` for
    /// calls that are not paced.
    public var pacingKey: String?
    /// What a 429 on this request holds back: the channel for a post, else the method (Slack
    /// limits each method per workspace) or the whole server (Mattermost limits per token).
    public var rateLimitScope: String

    public init(
        method: String, url: String, headers: [Header], body: [UInt8], platform: ChatAPIPlatform, operation: ChatAPIOperation,
        pacingKey: String? = nil, rateLimitScope: String
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.platform = platform
        self.operation = operation
        self.pacingKey = pacingKey
        self.rateLimitScope = rateLimitScope
    }

    /// The value of the first header called `name` (any case), or `nil`.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// `POST https://slack.com/api/chat.postMessage [Content-Type: …, Authorization: Bearer <redacted>] 312 bytes`.
    /// The body is left out: it holds message text, which may be restricted.
    public var description: String {
        "\(method) \(url) [\(headers.map(\.description).joined(separator: ", "))] \(body.count) bytes"
    }

    public var debugDescription: String { "ChatAPIRequest(\(platform.rawValue) \(operation.rawValue): \(description))" }
}
