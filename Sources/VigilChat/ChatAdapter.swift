import Foundation
import VigilCore

/// One chat platform's side of Vigil, free of any HTTP server: given a request's headers and
/// raw bytes, it says whether the platform sent it and what it asks for, and it renders
/// Vigil's answers in the platform's format.
///
/// The server's route table serves every configured adapter at its ``paths`` and holds the
/// common path: it reads the body (at most 64 KiB), calls ``verify(_:now:)`` and, only when
/// that passed, ``decode(_:)``; it runs a command through the command desk and answers with
/// ``renderer``'s reply body, or answers a handshake with the adapter's own bytes. A refusal
/// is a ``ChatRequestError``, which the server maps to 401 or 400. A command the desk has not
/// answered by ``replyDeadline(for:)`` gets ``deferredAnswer`` at once and its reply later, through
/// ``laterReply(_:to:)``.
///
/// Adding a platform is one adapter, its config section, and the line that builds the adapter
/// from that section.
public protocol ChatAdapter: Sendable {
    /// The platform word that identities and invocations carry: `slack`, `mattermost`, `discord`.
    var platform: String { get }
    /// The paths the platform posts to, such as `/slack/commands`; the route table serves each.
    var paths: [String] { get }
    /// Renders replies and channel posts as the platform's JSON.
    var renderer: any ChatRenderer { get }

    /// Checks that `request` comes from the platform, from its headers and raw body, before
    /// anything it says is trusted. Throws an `unauthorized` ``ChatRequestError`` to refuse.
    func verify(_ request: ChatRequest, now: Date) throws(ChatRequestError)

    /// What a verified request asks for. Throws a `malformed` ``ChatRequestError`` when the
    /// body is not what the platform sends.
    func decode(_ request: ChatRequest) throws(ChatRequestError) -> ChatRequestContent

    /// How long the platform waits for `invocation`'s answer, less a margin; `nil` when it
    /// waits longer than any command takes, or when a deferred reply could not reach the user
    /// (then the answer is worth waiting for). Past it, the route answers ``deferredAnswer`` and
    /// sends the reply later with ``laterReply(_:to:)``.
    func replyDeadline(for invocation: Invocation) -> Duration?

    /// The immediate answer that holds the user's place when the reply is not ready in time.
    var deferredAnswer: HandshakeReply { get }

    /// How a reply prepared after the deadline reaches the user; `nil` when the invocation
    /// carries no way back.
    func laterReply(_ reply: Reply, to invocation: Invocation) -> LaterReply?

    /// The answer to a button press (``ChatRequestContent/press(_:)``) whose command replied
    /// `reply`. An `.inChannel` reply (a state change) replaces the message that carried the
    /// button, with the buttons the new state allows; an `.ephemeral` one (a refusal, a view) is
    /// shown to the presser alone and leaves that message as it was.
    func pressAnswer(_ reply: Reply, to invocation: Invocation) -> PressAnswer

    /// The immediate answer to a press whose command is not done by ``replyDeadline(for:)``.
    var deferredPressAnswer: HandshakeReply { get }

    /// How a press's reply prepared after ``deferredPressAnswer`` reaches the presser, with the
    /// same meaning as ``pressAnswer(_:to:)``; `nil` when it cannot.
    func laterPressReply(_ reply: Reply, to invocation: Invocation) -> LaterReply?
}

/// Platforms whose messages carry no buttons never decode a press; these answer one, should it
/// come, as they answer a command.
extension ChatAdapter {
    public func pressAnswer(_ reply: Reply, to invocation: Invocation) -> PressAnswer {
        PressAnswer(immediate: HandshakeReply(contentType: "application/json", body: renderer.replyBody(reply).serialized()))
    }

    public var deferredPressAnswer: HandshakeReply { deferredAnswer }

    public func laterPressReply(_ reply: Reply, to invocation: Invocation) -> LaterReply? {
        laterReply(reply, to: invocation)
    }
}
