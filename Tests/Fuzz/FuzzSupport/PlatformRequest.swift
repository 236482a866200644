import VigilChat
import VigilCore
import VigilJSON

/// What the server does with a slash command's or a button press's body once the platform is
/// verified: the adapter decodes it (a handshake is answered there), the invocation's text is
/// parsed, and the reply (the parsed text echoed, or the refusal) is rendered as the platform's
/// JSON, and for a press also as the press's answer.
public enum PlatformRequest {
    /// - Parameter path: where the body arrived; the adapter's first path (its commands) by default.
    public static func handle(_ body: UnsafeRawBufferPointer, adapter: any ChatAdapter, path: String? = nil) {
        let platform = adapter.platform
        let request = ChatRequest(path: path ?? adapter.paths[0], body: Array(body)) { _ in nil }
        let invocation: Invocation
        var pressed = false
        switch try? adapter.decode(request) {
        case let .command(typed)?: invocation = typed
        case let .press(press)?:
            invocation = press
            pressed = true
        default: return
        }
        FuzzOracle.expect(
            !invocation.user.id.isEmpty,
            "\(platform): an invocation without a user id from \(String(decoding: body, as: UTF8.self).debugDescription)")
        let reply: Reply
        do {
            _ = try FuzzRepository.parser.parse(invocation.text)
            reply = Reply(.ephemeral, Message(lines: [[.mention(invocation.user), .text(" ran "), .code(invocation.text)]]))
        } catch {
            reply = error.reply
        }
        // The reply goes back as the HTTP response body: whatever the user typed, it is JSON.
        let body = adapter.renderer.replyBody(reply).serialized()
        FuzzOracle.expect(
            (try? JSONValue.parse(body)) != nil, "\(platform): the reply to \(invocation.text.debugDescription) is not JSON")
        guard pressed else { return }
        for answer in [adapter.pressAnswer(reply, to: invocation), adapter.pressAnswer(Reply(.inChannel, reply.message), to: invocation)] {
            let immediate = answer.immediate.body
            FuzzOracle.expect(
                immediate.isEmpty || (try? JSONValue.parse(immediate)) != nil,
                "\(platform): the answer to the press \(invocation.text.debugDescription) is not JSON")
        }
    }
}
