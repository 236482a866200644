import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON

/// Messages with buttons, in Slack's format and back: the `actions` block within Block Kit's
/// limits, the recorded `block_actions` press decoded as the command it carries, and the press's
/// answer through `response_url`.
@Suite struct SlackButtonTests {
    let adapter = SlackAdapter(signingSecret: SlackSignatureTests.secret)
    let fixture: [UInt8]
    /// The fixture's press time is irrelevant to the signature; the tests sign it at this time.
    let now = Date(timeIntervalSince1970: 1_764_765_012)

    init() throws {
        fixture = try FixtureLoader.bytes("slack-block-actions.form")
    }

    static let buttons = [
        MessageAction(name: "ack", label: "Ack", command: "ack INC-42", style: .primary),
        MessageAction(name: "escalate", label: "Escalate", command: "escalate INC-42", style: .danger),
        MessageAction(name: "resolve", label: "Resolve", command: "resolve INC-42", style: .danger, asks: "How was INC-42 resolved?"),
        MessageAction(name: "step-show", label: "Show step", command: "step INC-42 show 1"),
    ]

    func signed(_ body: [UInt8], path: String = SlackAdapter.interactionsPath) -> ChatRequest {
        let timestamp = String(Int(now.timeIntervalSince1970))
        return chatRequest(
            body, path: path,
            headers: [
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": SlackSignature(signingSecret: SlackSignatureTests.secret).sign(timestamp: timestamp, body: body),
            ])
    }

    func form(payload: String) -> [UInt8] {
        Array(FormBody(fields: [("payload", payload)]).encoded().utf8)
    }

    // MARK: - Rendering

    @Test func rendersOneButtonPerActionAfterTheSections() throws {
        // setup
        let message = Message(lines: [[.bold("INC-42"), .text(" opened")]], actions: Self.buttons)

        // MUT
        let body = SlackRenderer().webhookBody(message)

        // validate
        let blocks = try #require(body["blocks"]?.arrayValue)
        #expect(blocks.count == 2)
        #expect(blocks[0]["type"] == "section")
        #expect(blocks[1]["type"] == "actions")
        let elements = try #require(blocks[1]["elements"]?.arrayValue)
        #expect(elements.count == 4)
        #expect(
            elements[0] == [
                "type": "button", "action_id": "vigil-ack", "text": ["type": "plain_text", "text": "Ack"], "value": "ack INC-42",
                "style": "primary",
            ])
        #expect(elements[1]["style"] == "danger")
        #expect(elements[3]["style"] == nil)
        #expect(elements.map { $0["value"]?.stringValue } == Self.buttons.map(\.command))
    }

    @Test func aMessageWithoutActionsHasNoActionsBlock() throws {
        let body = SlackRenderer().replyBody(Reply(.ephemeral, Message(lines: [[.text("hello")]])))
        #expect(try #require(body["blocks"]?.arrayValue).allSatisfy { $0["type"] == "section" })
    }

    @Test func sectionsGiveWayToTheButtonsWithinFiftyBlocks() throws {
        // setup: 120 lines of 2,000 characters make 120 sections, far over Slack's 50 blocks
        let lines = (0..<120).map { [Span.text(String(repeating: "x", count: 1999) + "\($0 % 10)")] }
        let message = Message(lines: lines, actions: Self.buttons)

        // MUT
        let body = SlackRenderer().webhookBody(message)

        // validate
        let blocks = try #require(body["blocks"]?.arrayValue)
        #expect(blocks.count == 50)
        #expect(blocks.last?["type"] == "actions")
        #expect(blocks.last?["elements"]?.arrayValue?.count == 4)
        #expect(blocks[48]["text"]?["text"]?.stringValue?.contains("more sections cut") == true)
        for block in blocks where block["type"] == "section" {
            #expect((block["text"]?["text"]?.stringValue?.count ?? 0) <= 3000)
        }
    }

    @Test func manyButtonsAreSplitIntoBlocksOfTwentyFive() throws {
        // setup
        let actions = (0..<30).map { MessageAction(name: "b\($0)", label: "B\($0)", command: "show INC-\($0)") }

        // MUT
        let blocks = try #require(SlackRenderer().webhookBody(Message(lines: [[.text("x")]], actions: actions))["blocks"]?.arrayValue)

        // validate
        let actionBlocks = blocks.filter { $0["type"] == "actions" }
        #expect(actionBlocks.map { $0["elements"]?.arrayValue?.count } == [25, 5])
    }

    @Test func labelsAreCutAndOverlongCommandsDropped() throws {
        // setup
        let actions = [
            MessageAction(name: "long", label: String(repeating: "L", count: 100), command: "ack INC-1"),
            MessageAction(name: "huge", label: "Huge", command: "step INC-1 done " + String(repeating: "s", count: 2000)),
        ]

        // MUT
        let blocks = try #require(SlackRenderer().webhookBody(Message(lines: [[.text("x")]], actions: actions))["blocks"]?.arrayValue)

        // validate
        let elements = try #require(blocks.last?["elements"]?.arrayValue)
        #expect(elements.count == 1)
        #expect(elements[0]["text"]?["text"]?.stringValue?.count == 75)
        #expect(elements[0]["value"] == "ack INC-1")
    }

    @Test func repliesCarryTheirButtonsToo() throws {
        let body = SlackRenderer().replyBody(Reply(.inChannel, Message(lines: [[.text("INC-42 acknowledged")]], actions: Self.buttons)))
        #expect(body["response_type"] == "in_channel")
        #expect(try #require(body["blocks"]?.arrayValue).last?["type"] == "actions")
    }

    // MARK: - Presses

    @Test func decodesTheRecordedPressAsTheCommandItCarries() throws {
        // setup
        let request = signed(fixture)

        // MUT
        try adapter.verify(request, now: now)
        let content = try adapter.decode(request)

        // validate
        #expect(
            content
                == .press(
                    Invocation(
                        platform: "slack", user: UserRef(id: "U0ANA", name: "ana", platform: "slack"), channelName: "incidents",
                        channelID: "C0INCIDENTS", command: "/incident", text: "ack INC-42",
                        responseURL: "https://hooks.slack.com/actions/T0VIGIL/8123456789012/random-value",
                        requestID: "8123456789012.47445629121.5f0e2c7bd5f3f1a2b6c3d4e5f6a7b8c9")))
    }

    @Test func aPressIsVerifiedExactlyAsACommandIs() throws {
        // setup: a valid signature, then one byte of the body changed
        var tampered = fixture
        tampered[tampered.count - 3] ^= 0x01
        let request = signed(fixture)
        let forged = chatRequest(
            tampered, path: SlackAdapter.interactionsPath,
            headers: [
                "X-Slack-Request-Timestamp": request.header("X-Slack-Request-Timestamp")!,
                "X-Slack-Signature": request.header("X-Slack-Signature")!,
            ])

        // MUT / validate
        #expect(throws: ChatRequestError.self) { try adapter.verify(forged, now: now) }
        #expect(throws: ChatRequestError.self) { try adapter.verify(request, now: now.addingTimeInterval(301)) }
        #expect(throws: ChatRequestError.self) { try adapter.verify(chatRequest(fixture, path: SlackAdapter.interactionsPath), now: now) }
    }

    @Test(arguments: [
        #"{"type":"view_submission","user":{"id":"U1"},"trigger_id":"t","response_url":"https://h/x","actions":[{"action_id":"vigil-ack","value":"ack INC-1"}]}"#,
        #"{"type":"block_actions","trigger_id":"t","response_url":"https://h/x","actions":[{"action_id":"vigil-ack","value":"ack INC-1"}]}"#,
        #"{"type":"block_actions","user":{"id":"U1"},"response_url":"https://h/x","actions":[{"action_id":"vigil-ack","value":"ack INC-1"}]}"#,
        #"{"type":"block_actions","user":{"id":"U1"},"trigger_id":"t","actions":[{"action_id":"vigil-ack","value":"ack INC-1"}]}"#,
        #"{"type":"block_actions","user":{"id":"U1"},"trigger_id":"t","response_url":"https://h/x","actions":[]}"#,
        #"{"type":"block_actions","user":{"id":"U1"},"trigger_id":"t","response_url":"https://h/x","actions":[{"action_id":"vigil-ack"}]}"#,
        #"{"type":"block_actions","user":{"id":"U1"},"trigger_id":"t","response_url":"https://h/x","actions":[{"action_id":"other","value":"ack INC-1"}]}"#,
        #"[1,2]"#, "not json", "",
    ])
    func refusesAnythingButOneOfVigilsButtons(payload: String) throws {
        // MUT / validate
        let error = try #require(throws: ChatRequestError.self) { try adapter.decode(signed(form(payload: payload))) }
        #expect(error.kind == .malformed)
    }

    @Test func aFormWithoutPayloadIsMalformed() throws {
        let error = try #require(throws: ChatRequestError.self) { try adapter.decode(signed(Array("user_id=U1".utf8))) }
        #expect(error.kind == .malformed)
    }

    @Test func theCommandPathStillDecodesCommands() throws {
        let body = try FixtureLoader.bytes("slack-slash-command-mention.form")
        guard case .command = try adapter.decode(signed(body, path: SlackAdapter.commandPath)) else {
            Issue.record("a slash command on /slack/commands is not a command")
            return
        }
    }

    // MARK: - Answers

    func press() throws -> Invocation {
        guard case let .press(invocation) = try adapter.decode(signed(fixture)) else { throw ChatRequestError(.malformed, "not a press") }
        return invocation
    }

    @Test func aStateChangeReplacesTheCarryingMessageThroughResponseURL() throws {
        // setup
        let invocation = try press()
        let reply = Reply(.inChannel, Message(lines: [[.bold("INC-42"), .text(" acknowledged by ana")]], actions: [Self.buttons[1]]))

        // MUT
        let answer = adapter.pressAnswer(reply, to: invocation)

        // validate
        #expect(answer.immediate == .empty)
        let later = try #require(answer.later)
        #expect(later.method == "POST")
        #expect(later.url == "https://hooks.slack.com/actions/T0VIGIL/8123456789012/random-value")
        #expect(later.body["replace_original"] == true)
        #expect(later.body["response_type"] == nil)
        #expect(later.body["text"]?.stringValue == "INC-42 acknowledged by ana")
        #expect(later.body["blocks"]?.arrayValue?.last?["elements"]?.arrayValue?.first?["value"] == "escalate INC-42")
        #expect(adapter.laterPressReply(reply, to: invocation) == later)
    }

    @Test func aRefusalGoesToThePresserAloneAndLeavesTheMessage() throws {
        // setup
        let invocation = try press()

        // MUT
        let answer = adapter.pressAnswer(Reply.ephemeral("INC-42 is already acknowledged."), to: invocation)

        // validate
        #expect(answer.immediate == .empty)
        let body = try #require(answer.later?.body)
        #expect(body["response_type"] == "ephemeral")
        #expect(body["replace_original"] == false)
        #expect(body["text"]?.stringValue == "INC-42 is already acknowledged.")
    }

    @Test func aSlowPressIsAnsweredEmptyWithinTwoSeconds() throws {
        #expect(adapter.replyDeadline(for: try press()) == .seconds(2))
        #expect(adapter.deferredPressAnswer == .empty)
    }
}
