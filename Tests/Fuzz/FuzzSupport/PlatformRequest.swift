import VigilChat
import VigilCore
import VigilJSON

/// What the server does with a slash command's body once the platform is verified: the
/// adapter decodes it (a handshake is answered there), the invocation's text is parsed, and the
/// reply (the parsed text echoed, or the refusal) is rendered as the platform's JSON.
public enum PlatformRequest {
    public static func handle(_ body: UnsafeRawBufferPointer, adapter: any ChatAdapter) {
        let platform = adapter.platform
        let request = ChatRequest(path: adapter.paths[0], body: Array(body)) { _ in nil }
        guard case let .command(invocation)? = try? adapter.decode(request) else { return }
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
    }
}
