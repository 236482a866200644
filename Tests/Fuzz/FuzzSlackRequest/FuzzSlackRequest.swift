import Foundation
import FuzzSupport
import VigilChat

/// Slack's `/slack/commands` and `/slack/interactions`: the input is the raw body, signed as Slack
/// would sign it, so every input passes verification and reaches the form and invocation
/// decoders, as a command and as a button press.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSlackRequest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let body = FuzzInput.bytes(start, count)
    let signature = slack.sign(timestamp: timestamp, body: body)
    do {
        try slack.verify(timestamp: timestamp, signature: signature, body: body, now: now)
    } catch {
        FuzzOracle.expect(false, "a body signed with the secret fails verification: \(error)")
    }
    PlatformRequest.handle(body, adapter: adapter)
    PlatformRequest.handle(body, adapter: adapter, path: SlackAdapter.interactionsPath)
    return 0
}

/// Slack's documented signing example (Tests/VigilChatTests/Fixtures/README.md).
private let secret = "8f742231b10e8888abcd99yyyzzz85a5"
private let slack = SlackSignature(signingSecret: secret)
private let adapter = SlackAdapter(signingSecret: secret)
private let timestamp = "1531420618"
private let now = Date(timeIntervalSince1970: 1_531_420_618)
