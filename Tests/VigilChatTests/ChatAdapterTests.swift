import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON

/// A request as the route table builds it, from recorded bytes and headers (names in any case).
func chatRequest(_ body: [UInt8], path: String, headers: [String: String] = [:]) -> ChatRequest {
    let lowered = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
    return ChatRequest(path: path, body: body) { lowered[$0.lowercased()] }
}

/// Slack's adapter over the recorded payloads: the official signing vector end to end, the
/// headers it reads, and the certificate check it answers itself.
@Suite struct SlackAdapterTests {
    let adapter = SlackAdapter(signingSecret: SlackSignatureTests.secret)
    let vector: [UInt8]
    let signedAt = Date(timeIntervalSince1970: 1_531_420_618)

    init() throws {
        vector = try FixtureLoader.bytes("slack-official-vector.form")
    }

    func signed(_ body: [UInt8], timestamp: String = SlackSignatureTests.timestamp) -> ChatRequest {
        chatRequest(body, path: "/slack/commands", headers: [
            "x-slack-request-timestamp": timestamp,
            "X-Slack-Signature": SlackSignature(signingSecret: SlackSignatureTests.secret).sign(timestamp: timestamp, body: body),
        ])
    }

    @Test func servesSlackCommandsAsSlack() {
        #expect(adapter.platform == "slack")
        #expect(adapter.paths == ["/slack/commands", "/slack/interactions"])
    }

    @Test func verifiesAndDecodesTheOfficialVector() throws {
        // setup
        let request = chatRequest(vector, path: "/slack/commands", headers: [
            "X-Slack-Request-Timestamp": SlackSignatureTests.timestamp, "X-Slack-Signature": SlackSignatureTests.signature,
        ])

        // MUT
        try adapter.verify(request, now: signedAt.addingTimeInterval(60))
        let content = try adapter.decode(request)

        // validate
        #expect(content == .command(Invocation(
            platform: "slack", user: UserRef(id: "U2CERLKJA", name: "roadrunner", platform: "slack"), channelName: "foobar",
            channelID: "G8PSS9T3V", command: "/webhook-collect", text: "",
            responseURL: "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN",
            requestID: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")))
    }

    @Test func decodesTheRecordedMentionAsTheSlashCommandDecoderDoes() throws {
        let body = try FixtureLoader.bytes("slack-slash-command-mention.form")
        let request = signed(body)
        try adapter.verify(request, now: signedAt)
        #expect(try adapter.decode(request) == .command(try SlashCommandDecoder.decode(FormBody(decoding: body), platform: "slack")))
    }

    @Test(arguments: [
        ([:], "missing X-Slack-Request-Timestamp or X-Slack-Signature"),
        (["X-Slack-Signature": SlackSignatureTests.signature], "missing X-Slack-Request-Timestamp or X-Slack-Signature"),
        (["X-Slack-Request-Timestamp": "1531420919", "X-Slack-Signature": SlackSignatureTests.signature], "stale request timestamp"),
        (["X-Slack-Request-Timestamp": "1531420618", "X-Slack-Signature": "v0=00"], "invalid signature"),
    ] as [([String: String], String)])
    func refusesWhatTheHeadersDoNotProve(headers: [String: String], reason: String) {
        #expect(throws: ChatRequestError(.unauthorized, reason)) {
            try adapter.verify(chatRequest(vector, path: "/slack/commands", headers: headers), now: signedAt)
        }
    }

    @Test func answersTheCertificateCheckWithAnEmpty200() throws {
        let request = signed(Array("ssl_check=1&token=legacy".utf8))
        try adapter.verify(request, now: signedAt)
        #expect(try adapter.decode(request) == .handshake(.empty))
    }

    @Test func aSignedBodyThatIsNotACommandIsMalformed() throws {
        let request = signed(Array("text=help&command=%2Fincident".utf8))
        try adapter.verify(request, now: signedAt)
        #expect(throws: ChatRequestError(.malformed, "missing field user_id")) { try adapter.decode(request) }
    }

    @Test func rendersRepliesAsBlockKit() {
        let body = adapter.renderer.replyBody(Reply(.ephemeral, Message(lines: [[.bold("INC-1"), .text(" opened")]])))
        #expect(body["response_type"]?.stringValue == "ephemeral")
        #expect(body["blocks"]?.arrayValue?.count == 1)
    }
}

/// Mattermost's adapter over its documented example: the token in the header or, without one,
/// in the body.
@Suite struct MattermostAdapterTests {
    static let token = "qzgakf1nx3yt9dr4n8585ihbxy"
    let adapter = MattermostAdapter(token: token)
    let example: [UInt8]
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        example = try FixtureLoader.bytes("mattermost-slash-command.form")
    }

    @Test func servesMattermostCommandsAsMattermost() {
        #expect(adapter.platform == "mattermost")
        #expect(adapter.paths == ["/mattermost/commands", "/mattermost/actions"])
    }

    @Test func verifiesTheHeaderAndDecodesTheExample() throws {
        let request = chatRequest(example, path: "/mattermost/commands", headers: ["authorization": "Token \(Self.token)"])
        try adapter.verify(request, now: now)
        guard case let .command(invocation) = try adapter.decode(request) else {
            Issue.record("the example is a command")
            return
        }
        #expect(invocation.platform == "mattermost")
        #expect(invocation.user == UserRef(id: "erj6qck3rfgtujs86w5r6rckzh", name: "alan", platform: "mattermost"))
        #expect(invocation.channelName == "town-square")
        #expect(invocation.text == "open sev1 fraud Card testing spike")
        #expect(invocation.responseURL == "http://localhost:8066/hooks/commands/i11f6nnfgfyk8eg56x9omc6dpa")
    }

    @Test func acceptsTheBodysTokenWhenThereIsNoHeader() throws {
        try adapter.verify(chatRequest(example, path: "/mattermost/commands"), now: now)
    }

    @Test func aWrongHeaderIsRefusedEvenWithTheRightTokenInTheBody() {
        #expect(throws: ChatRequestError(.unauthorized, "invalid token")) {
            try adapter.verify(chatRequest(example, path: "/mattermost/commands", headers: ["Authorization": "Token wrong"]), now: now)
        }
    }

    @Test func aBodyWithoutATokenAndNoHeaderIsRefused() {
        let body = Array(String(decoding: example, as: UTF8.self).replacingOccurrences(of: "&token=\(Self.token)", with: "").utf8)
        #expect(throws: ChatRequestError(.unauthorized, "missing token")) {
            try adapter.verify(chatRequest(body, path: "/mattermost/commands"), now: now)
        }
    }

    @Test func rendersRepliesAsMarkdown() {
        let body = adapter.renderer.replyBody(Reply(.inChannel, Message(lines: [[.bold("INC-1"), .text(" opened")]])))
        #expect(body["response_type"]?.stringValue == "in_channel")
        #expect(body["text"]?.stringValue == "**INC-1** opened")
    }
}
