import VigilChat
import VigilCore
import VigilJSON

/// What the server does with a slash command's body once the platform is verified: decode the
/// form, answer Slack's certificate check, decode the invocation, parse its text, and render the
/// reply (the parsed text echoed, or the refusal) as the platform's JSON.
public enum PlatformRequest {
    public static func handle(_ body: UnsafeRawBufferPointer, platform: String, renderer: some ChatRenderer) {
        guard let form = try? FormBody(decoding: body) else { return }
        if SlashCommandDecoder.isSSLCheck(form) { return }
        guard let invocation = try? SlashCommandDecoder.decode(form, platform: platform) else { return }
        FuzzOracle.expect(!invocation.user.id.isEmpty, "\(platform): an invocation without a user id from \(form.fields)")
        let reply: Reply
        do {
            _ = try FuzzRepository.parser.parse(invocation.text)
            reply = Reply(.ephemeral, Message(lines: [[.mention(invocation.user), .text(" ran "), .code(invocation.text)]]))
        } catch {
            reply = error.reply
        }
        // The reply goes back as the HTTP response body: whatever the user typed, it is JSON.
        let body = renderer.replyBody(reply).serialized()
        FuzzOracle.expect(
            (try? JSONValue.parse(body)) != nil, "\(platform): the reply to \(invocation.text.debugDescription) is not JSON")
    }
}
