import VigilCore

/// What a verified chat request asks for, as its ``ChatAdapter`` decoded it.
public enum ChatRequestContent: Sendable, Equatable {
    /// A command to run; its reply goes back in the adapter's format.
    case command(Invocation)
    /// A platform's own check, which the adapter answers itself: nothing is run or written.
    case handshake(HandshakeReply)
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
