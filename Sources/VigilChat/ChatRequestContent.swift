import VigilCore
import VigilJSON

/// What a verified chat request asks for, as its ``ChatAdapter`` decoded it.
public enum ChatRequestContent: Sendable, Equatable {
    /// A command to run; its reply goes back in the adapter's format.
    case command(Invocation)
    /// A button press, to run as the command the button carries (`invocation.text`, such as
    /// `ack INC-42`), exactly as if it had been typed. Its answer is the adapter's
    /// ``ChatAdapter/pressAnswer(_:to:)``: an in-channel reply updates the message that carried
    /// the button, anything else goes to the presser alone.
    case press(Invocation)
    /// A platform's own check, which the adapter answers itself: nothing is run or written.
    case handshake(HandshakeReply)
    /// A request the adapter understood but cannot turn into a command as given (a Discord
    /// option value the command line cannot hold): this reply goes back to the user, in the
    /// adapter's format, and nothing is run or written.
    case refused(Reply)
}

/// A reply sent after the platform's request was answered: where, how and what.
public struct LaterReply: Sendable, Equatable {
    /// `POST` (Slack's `response_url`) or `PATCH` (editing Discord's deferred reply).
    public var method: String
    /// The platform's per-request address. It holds a short-lived credential: never log it.
    public var url: String
    public var body: JSONValue

    public init(method: String, url: String, body: JSONValue) {
        self.method = method
        self.url = url
        self.body = body
    }
}

/// How a button press is answered: at once, in the HTTP response, and, on platforms that update
/// messages only through a later request (Slack's `response_url`), once more after it.
public struct PressAnswer: Sendable, Equatable {
    /// The HTTP answer to the press.
    public var immediate: HandshakeReply
    /// Sent after `immediate`, when the platform needs it.
    public var later: LaterReply?

    public init(immediate: HandshakeReply, later: LaterReply? = nil) {
        self.immediate = immediate
        self.later = later
    }
}

/// The 200 answer to a platform's handshake, such as Slack's certificate check.
public struct HandshakeReply: Sendable, Equatable {
    /// The `Content-Type` of `body`; `nil` for an empty answer.
    public var contentType: String?
    public var body: [UInt8]

    public init(contentType: String?, body: [UInt8]) {
        self.contentType = contentType
        self.body = body
    }

    /// An empty 200.
    public static let empty = HandshakeReply(contentType: nil, body: [])
}
