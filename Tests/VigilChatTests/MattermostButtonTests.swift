import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON

/// Messages with buttons in Mattermost's format and back: interactive-message buttons whose
/// context carries the command and its MAC, only when `public_url` and the token are set; the
/// recorded press, the MAC checks, and the post update that answers a press.
@Suite struct MattermostButtonTests {
    static let token = "qzgakf1nx3yt9dr4n8585ihbxy"
    /// The fixture's MAC for `ack INC-42`, computed independently with Python's `hmac`.
    static let ackMAC = "6c74978478b87057e7848a17f33c318d3bf1f6882acea0c1a4ff44402e887a29"
    static let buttons = [
        MessageAction(name: "ack", label: "Ack", command: "ack INC-42", style: .primary),
        MessageAction(name: "step-show-0", label: "Show step", command: "step INC-42 show 1"),
    ]

    let adapter = MattermostAdapter(token: token, publicURL: "https://vigil.example.com")
    let fixture: [UInt8]

    init() throws {
        fixture = try FixtureLoader.bytes("mattermost-action-press.json")
    }

    func request(_ body: [UInt8]) -> ChatRequest { chatRequest(body, path: MattermostAdapter.actionsPath) }

    // MARK: - Rendering

    @Test func rendersButtonsWithTheCommandAndItsMACInTheContext() throws {
        // setup
        let renderer = MattermostRenderer(buttons: .init(publicURL: "https://vigil.example.com/", token: Self.token))

        // MUT
        let body = renderer.webhookBody(Message(lines: [[.bold("INC-42"), .text(" opened")]], actions: Self.buttons))

        // validate
        #expect(body["text"] == "**INC-42** opened")
        let actions = try #require(body["attachments"]?.arrayValue?.first?["actions"]?.arrayValue)
        #expect(actions.count == 2)
        #expect(
            actions[0] == [
                "id": "ack", "name": "Ack", "type": "button", "style": "primary",
                "integration": [
                    "url": "https://vigil.example.com/mattermost/actions",
                    "context": ["command": "ack INC-42", "mac": .string(Self.ackMAC)],
                ],
            ])
        #expect(actions[1]["id"] == "stepshow0")
        #expect(actions[1]["style"] == "default")
    }

    @Test func withoutPublicURLThereAreNoButtonsAndTheBodyIsUnchanged() {
        // setup
        let message = Message(lines: [[.text("INC-42 opened")]], actions: Self.buttons)

        // MUT / validate
        #expect(MattermostRenderer().webhookBody(message) == ["text": "INC-42 opened"])
        #expect(MattermostRenderer().replyBody(Reply(.ephemeral, message)) == ["response_type": "ephemeral", "text": "INC-42 opened"])
        #expect(MattermostAdapter(token: Self.token).renderer.webhookBody(message)["attachments"] == nil)
    }

    @Test func repliesCarryButtonsToo() {
        let body = adapter.renderer.replyBody(Reply(.inChannel, Message(lines: [[.text("x")]], actions: Self.buttons)))
        #expect(body["attachments"]?.arrayValue?.first?["actions"]?.arrayValue?.count == 2)
    }

    // MARK: - MAC

    @Test func theMACAcceptsItsCommandOnly() throws {
        // setup
        let mac = MattermostActionMAC(token: Self.token)

        // MUT / validate
        #expect(mac.mac(command: "ack INC-42") == Self.ackMAC)
        try mac.verify(command: "ack INC-42", mac: Self.ackMAC)
        #expect(throws: ChatRequestError.self) { try mac.verify(command: "resolve INC-42", mac: Self.ackMAC) }
        #expect(throws: ChatRequestError.self) { try mac.verify(command: "ack INC-42", mac: nil) }
        #expect(throws: ChatRequestError.self) { try mac.verify(command: nil, mac: Self.ackMAC) }
        #expect(throws: ChatRequestError.self) { try MattermostActionMAC(token: "other").verify(command: "ack INC-42", mac: Self.ackMAC) }
    }

    @Test func acceptsAndDecodesTheRecordedPress() throws {
        // setup
        let request = request(fixture)

        // MUT
        try adapter.verify(request, now: Date())
        let content = try adapter.decode(request)

        // validate
        #expect(
            content
                == .press(
                    Invocation(
                        platform: "mattermost", user: UserRef(id: "erj6qck3rfgtujs86w5r6rckzh", name: "alan", platform: "mattermost"),
                        channelName: "town-square", channelID: "fukxanjgjbnp7ng383at53k1sy", command: "/incident", text: "ack INC-42",
                        responseURL: nil,
                        requestID: "d2RzdXNiaXR4YmRrOGs4NjZ4ZWVpc3VtNmU6ZXJqNnFjazNyZmd0dWpzODZ3NXI2cmNremg6MTc2NDc2NTAxMjAwMDpNRVFDSUN4")))
        if case let .press(invocation) = content { #expect(adapter.replyDeadline(for: invocation) == nil) }
    }

    @Test func refusesATamperedCommandAMissingMACAndABodyThatIsNotJSON() throws {
        // setup
        let text = String(decoding: fixture, as: UTF8.self)
        let tampered = Array(text.replacingOccurrences(of: "\"ack INC-42\"", with: "\"resolve INC-42\"").utf8)
        let missing = Array(text.replacingOccurrences(of: ",\"mac\":\"\(Self.ackMAC)\"", with: "").utf8)
        let wrongKey = Array(
            text.replacingOccurrences(of: Self.ackMAC, with: MattermostActionMAC(token: "x").mac(command: "ack INC-42")).utf8)
        #expect(tampered != fixture && missing != fixture && wrongKey != fixture)

        // MUT / validate
        for body in [tampered, missing, wrongKey, Array("not json".utf8), []] {
            let error = try #require(throws: ChatRequestError.self) { try adapter.verify(request(body), now: Date()) }
            #expect(error.kind == .unauthorized)
        }
    }

    @Test func aPressWithoutTriggerIDOrUserIsMalformed() throws {
        // setup
        let mac = MattermostActionMAC(token: Self.token).mac(command: "ack INC-1")
        let bodies: [JSONValue] = [
            ["user_id": "u1", "context": ["command": "ack INC-1", "mac": .string(mac)]],
            ["trigger_id": "t1", "context": ["command": "ack INC-1", "mac": .string(mac)]],
        ]
        for body in bodies {
            let request = request(body.serialized())
            try adapter.verify(request, now: Date())

            // MUT / validate
            let error = try #require(throws: ChatRequestError.self) { try adapter.decode(request) }
            #expect(error.kind == .malformed)
        }
    }

    @Test func theCommandPathStillTakesTheToken() throws {
        let body = try FixtureLoader.bytes("mattermost-slash-command.form")
        let request = chatRequest(body, path: MattermostAdapter.commandPath, headers: ["Authorization": "Token \(Self.token)"])
        try adapter.verify(request, now: Date())
        // A slash command sent to the actions path carries no MAC, so it is refused there.
        #expect(throws: ChatRequestError.self) { try adapter.verify(self.request(body), now: Date()) }
    }

    // MARK: - Answers

    @Test func aStateChangeUpdatesThePostWithTheNewButtons() throws {
        // setup
        let reply = Reply(.inChannel, Message(lines: [[.bold("INC-42"), .text(" acknowledged")]], actions: [Self.buttons[1]]))

        // MUT
        let answer = adapter.pressAnswer(reply, to: Self.invocation)

        // validate
        #expect(answer.later == nil)
        #expect(answer.immediate.contentType == "application/json")
        let body = try JSONValue.parse(answer.immediate.body)
        #expect(body["update"]?["message"] == "**INC-42** acknowledged")
        let actions = try #require(body["update"]?["props"]?["attachments"]?.arrayValue?.first?["actions"]?.arrayValue)
        #expect(actions.map { $0["integration"]?["context"]?["command"] } == ["step INC-42 show 1"])
    }

    @Test func anUpdateWithNoButtonsLeftClearsThem() throws {
        let answer = adapter.pressAnswer(Reply(.inChannel, Message(lines: [[.text("resolved")]])), to: Self.invocation)
        let body = try JSONValue.parse(answer.immediate.body)
        #expect(body["update"]?["props"]?["attachments"] == [["actions": []]])
    }

    @Test func aRefusalIsEphemeralText() throws {
        let answer = adapter.pressAnswer(Reply.ephemeral("INC-42 is already acknowledged."), to: Self.invocation)
        #expect(try JSONValue.parse(answer.immediate.body) == ["ephemeral_text": "INC-42 is already acknowledged."])
    }

    static let invocation = Invocation(
        platform: "mattermost", user: UserRef(id: "u1", name: "alan", platform: "mattermost"), channelName: "", channelID: "",
        command: "/incident", text: "ack INC-42", responseURL: nil, requestID: "t1")
}
