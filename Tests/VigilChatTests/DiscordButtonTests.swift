import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON
import VigilTestSupport

/// Messages with buttons in Discord's format and back: action rows within Discord's limits, the
/// recorded component presses, the resolution modal's round trip, and the press answers.
@Suite struct DiscordButtonTests {
    let adapter: DiscordAdapter
    let signer: DiscordRequestSigner
    static let webhook =
        "https://discord.example/api/v10/webhooks/123456789012345678/aW50ZXJhY3Rpb246MTMxMTA2MDEwMDAwMDAwMDAxMDpQcmVzc1Rva2Vu"

    init() throws {
        signer = try DiscordRequestSigner(seed: DiscordAdapterTests.seed)
        adapter = try DiscordAdapter(
            publicKey: signer.publicKey, applicationID: DiscordAdapterTests.applicationID, specs: try Fixtures.shippedSpecs(),
            apiBase: "https://discord.example/api/v10")
    }

    func signed(_ body: [UInt8]) -> ChatRequest {
        chatRequest(
            body, path: DiscordAdapter.commandPath,
            headers: ["X-Signature-Timestamp": "1700000000", "X-Signature-Ed25519": signer.signature(timestamp: "1700000000", body: body)])
    }

    func decoded(_ fixture: String) throws -> ChatRequestContent {
        let request = signed(try FixtureLoader.bytes(fixture))
        try adapter.verify(request, now: DiscordAdapterTests.signedAt)
        return try adapter.decode(request)
    }

    func press() throws -> Invocation {
        guard case let .press(invocation) = try decoded("discord-component-ack.json") else {
            throw ChatRequestError(.malformed, "not a press")
        }
        return invocation
    }

    // MARK: - Rendering

    @Test func rendersButtonsAsActionRowsOfAtMostFive() throws {
        // setup
        let actions = (0..<12).map {
            MessageAction(name: "b\($0)", label: "B\($0)", command: "show INC-\($0)", style: $0 == 0 ? .primary : .plain)
        }

        // MUT
        let body = DiscordRenderer().webhookBody(Message(lines: [[.text("x")]], actions: actions))

        // validate
        let rows = try #require(body["components"]?.arrayValue)
        #expect(rows.map { $0["type"] } == [1, 1, 1])
        #expect(rows.map { $0["components"]?.arrayValue?.count } == [5, 5, 2])
        let first = try #require(rows[0]["components"]?.arrayValue?.first)
        #expect(first == ["type": 2, "style": 1, "label": "B0", "custom_id": "vigil:show INC-0"])
        #expect(rows[0]["components"]?.arrayValue?[1]["style"] == 2)
    }

    @Test func atMostFiveRows() throws {
        let actions = (0..<40).map { MessageAction(name: "b\($0)", label: "B", command: "show INC-\($0)") }
        let rows = try #require(DiscordRenderer().webhookBody(Message(lines: [], actions: actions))["components"]?.arrayValue)
        #expect(rows.count == 5)
        #expect(rows.allSatisfy { $0["components"]?.arrayValue?.count == 5 })
    }

    @Test func styleAskingAndLimits() throws {
        // setup
        let actions = [
            MessageAction(name: "resolve", label: "Resolve", command: "resolve INC-42", style: .danger, asks: "How was INC-42 resolved?"),
            MessageAction(
                name: "long", label: String(repeating: "L", count: 90), command: "step INC-42 done " + String(repeating: "s", count: 78)),
            MessageAction(name: "fits", label: "Fits", command: "step INC-42 done " + String(repeating: "s", count: 77)),
        ]

        // MUT
        let buttons = try #require(
            DiscordRenderer().webhookBody(Message(lines: [], actions: actions))["components"]?.arrayValue?.first?["components"]?.arrayValue)

        // validate: the 101-character custom_id is dropped, not cut
        #expect(buttons.count == 2)
        #expect(buttons[0]["custom_id"] == "vigil-ask:resolve INC-42")
        #expect(buttons[0]["style"] == 4)
        #expect(buttons[1]["custom_id"]?.stringValue?.count == 100)
        for button in buttons {
            #expect((button["custom_id"]?.stringValue?.count ?? 0) <= 100)
            #expect((button["label"]?.stringValue?.count ?? 0) <= 80)
        }
    }

    @Test func aMessageWithoutButtonsHasNoComponents() {
        #expect(DiscordRenderer().webhookBody(Message(lines: [[.text("x")]]))["components"] == nil)
        #expect(DiscordRenderer().replyBody(Reply.ephemeral("x"))["data"]?["components"] == nil)
    }

    // MARK: - Presses

    @Test func decodesTheRecordedPressAsTheCommandItCarries() throws {
        #expect(
            try press()
                == Invocation(
                    platform: "discord", user: UserRef(id: "80351110224678912", name: "Ava", platform: "discord"),
                    channelName: "ts-incidents",
                    channelID: "1147286148969382021", command: "/incident", text: "ack INC-42",
                    responseURL: Self.webhook + "/messages/@original",
                    requestID: "1311060100000000010"))
    }

    @Test func anAskingButtonOpensTheResolutionModal() throws {
        // MUT
        let content = try decoded("discord-component-ask-resolve.json")

        // validate
        guard case let .handshake(answer) = content else {
            Issue.record("expected a modal, got \(content)")
            return
        }
        #expect(answer.contentType == "application/json")
        let modal = try JSONValue.parse(answer.body)
        #expect(modal["type"] == 9)
        #expect(modal["data"]?["custom_id"] == "vigil:resolve INC-42")
        #expect(modal["data"]?["title"] == "Resolve INC-42")
        let input = try #require(modal["data"]?["components"]?.arrayValue?.first?["components"]?.arrayValue?.first)
        #expect(input["type"] == 4)
        #expect(input["style"] == 2)
        #expect(input["required"] == true)
        #expect(input["max_length"] == 1000)
        #expect(input["label"] == "How was INC-42 resolved?")
        #expect((input["label"]?.stringValue?.count ?? 0) <= 45)
    }

    @Test func theSubmittedModalRunsTheCommandWithTheResolutionOnOneLine() throws {
        // MUT
        let content = try decoded("discord-modal-submit-resolve.json")

        // validate
        guard case let .press(invocation) = content else {
            Issue.record("expected a press, got \(content)")
            return
        }
        #expect(invocation.text == "resolve INC-42 Blocked the card range and refunded")
        #expect(invocation.requestID == "1311060100000000012")
        #expect(invocation.user.id == "80351110224678912")
    }

    /// A modal submission with `value` as its answer.
    static func submission(_ value: JSONValue, customID: String = "vigil:resolve INC-42") -> [UInt8] {
        let json: JSONValue = [
            "id": "1", "type": 5, "token": "tok", "channel_id": "42", "user": ["id": "80351110224678912", "username": "ava.ts"],
            "data": [
                "custom_id": .string(customID),
                "components": [["type": 1, "components": [["type": 4, "custom_id": "answer", "value": value]]]],
            ],
        ]
        return json.serialized()
    }

    @Test func anEmptyAnswerLeavesTheCommandForTheParserToRefuse() throws {
        guard case let .press(invocation) = try adapter.decode(signed(Self.submission(" \n "))) else {
            Issue.record("not a press")
            return
        }
        #expect(invocation.text == "resolve INC-42")
    }

    @Test func aModalFromADirectMessageTakesTheUserAlone() throws {
        guard case let .press(invocation) = try adapter.decode(signed(Self.submission("Fixed"))) else {
            Issue.record("not a press")
            return
        }
        #expect(invocation.user.id == "80351110224678912")
        #expect(invocation.text == "resolve INC-42 Fixed")
    }

    @Test(arguments: [
        #"{"id":"1","type":3,"token":"t","user":{"id":"9"},"data":{"custom_id":"other:ack INC-1"}}"#,
        #"{"id":"1","type":3,"token":"t","user":{"id":"9"},"data":{"custom_id":"vigil:"}}"#,
        #"{"id":"1","type":3,"token":"t","user":{"id":"9"},"data":{}}"#,
        #"{"id":"1","type":3,"token":"t","data":{"custom_id":"vigil:ack INC-1"}}"#,
        #"{"type":3,"token":"t","user":{"id":"9"},"data":{"custom_id":"vigil:ack INC-1"}}"#,
        #"{"id":"1","type":3,"token":"t","user":{"id":"9"},"data":{"custom_id":"vigil-ask:"}}"#,
        #"{"id":"1","type":5,"token":"t","user":{"id":"9"},"data":{"custom_id":"vigil-ask:resolve INC-1"}}"#,
        #"{"id":"1","type":5,"token":"t","user":{"id":"9"}}"#,
    ])
    func refusesWhatIsNotVigilsButton(body: String) throws {
        let error = try #require(throws: ChatRequestError.self) { try adapter.decode(signed(Array(body.utf8))) }
        #expect(error.kind == .malformed)
    }

    // MARK: - Answers

    @Test func aStateChangeUpdatesTheCarryingMessage() throws {
        // setup
        let reply = Reply(.inChannel, Message(lines: [[.bold("INC-42"), .text(" acknowledged")]]))

        // MUT
        let answer = adapter.pressAnswer(reply, to: try press())

        // validate
        #expect(answer.later == nil)
        let body = try JSONValue.parse(answer.immediate.body)
        #expect(body["type"] == 7)
        #expect(body["data"]?["content"]?.stringValue?.hasSuffix(" acknowledged") == true)
        // No buttons left: an empty list, which clears the old ones.
        #expect(body["data"]?["components"] == [])
        #expect(body["data"]?["flags"] == nil)
        #expect(body["data"]?["allowed_mentions"]?["parse"] == [])
    }

    @Test func aRefusalIsEphemeral() throws {
        let answer = adapter.pressAnswer(Reply.ephemeral("INC-42 is already acknowledged."), to: try press())
        let body = try JSONValue.parse(answer.immediate.body)
        #expect(body["type"] == 4)
        #expect(body["data"]?["flags"] == 64)
    }

    @Test func aSlowPressIsADeferredUpdateThenAnEditOrAFollowUp() throws {
        // setup
        let invocation = try press()

        // MUT
        let deferred = try JSONValue.parse(adapter.deferredPressAnswer.body)
        let edit = try #require(adapter.laterPressReply(Reply(.inChannel, Message(lines: [[.text("done")]])), to: invocation))
        let followUp = try #require(adapter.laterPressReply(Reply.ephemeral("no"), to: invocation))

        // validate
        #expect(deferred == ["type": 6])
        #expect(adapter.replyDeadline(for: invocation) == .seconds(2))
        #expect(edit.method == "PATCH")
        #expect(edit.url == Self.webhook + "/messages/@original")
        #expect(edit.body["components"] == [])
        #expect(followUp.method == "POST")
        #expect(followUp.url == Self.webhook)
        #expect(followUp.body["flags"] == 64)
        #expect(followUp.body["content"] == "no")
    }
}
