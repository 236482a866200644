import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilChat
import VigilCore
import VigilHTTP
import VigilJSON
import VigilServer
import VigilStore
import VigilTestSupport

/// A Slack command whose reply misses Slack's 3-second deadline: an empty 200 at once, then the
/// reply through the command's `response_url` (an outbox row the delivery service sends), over
/// real HTTP on loopback.
@Suite struct SlackDeferredReplyTests {
    @Test func aSlowReplyGoesToTheResponseURL() async throws {
        // setup: the commit is held until the empty answer has arrived, so the deadline passes
        // first; once opened, the gate stays open for the writes after it (the reply's outbox row).
        let slack = try await LocalHTTPServer.start(responses: [.text("ok")])
        let gate = DispatchSemaphore(value: 0)
        let vigil = try TestVigil(
            transport: CurlHTTPClient(),
            storeHooks: StoreHooks(beforeCommit: { _ in
                gate.wait(); gate.signal()
            }), defersSlowReplies: true)
        defer { vigil.cleanUp() }
        let body = Array(
            FormBody(fields: [
                ("team_id", "T1"), ("channel_id", "C1"), ("channel_name", "ts-incidents"), ("user_id", "U0AVA"), ("user_name", "ava"),
                ("command", "/incident"), ("text", "open sev2 fraud Slow store"), ("response_url", slack.url(path: "/commands/T1/1/x")),
                ("trigger_id", "slow-1"),
            ]).encoded().utf8)

        // MUT
        let answer = try await vigil.withLiveClient { client in
            try await client.execute(
                uri: "/slack/commands", method: .post, headers: vigil.slackHeaders(for: body), body: ByteBuffer(bytes: body))
        }
        gate.signal()
        // The reply is an outbox row: the delivery service sends it.
        let delivery = Task { try await vigil.app.delivery.run() }
        let posts = try await slack.waitForRequests(count: 1)
        delivery.cancel()
        await slack.stop()

        // validate
        #expect(answer.status == .ok)
        #expect(answer.body.readableBytes == 0)
        #expect(posts[0].method == "POST")
        #expect(posts[0].path == "/commands/T1/1/x")
        let reply = try JSONValue.parse(posts[0].body)
        #expect(reply["response_type"] == "in_channel")
        #expect(reply["text"]?.stringValue?.hasPrefix("INC-1 opened") == true)
    }
}
