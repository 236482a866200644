import Testing
import VigilChat
import VigilCore
import VigilJSON
import VigilTestSupport

/// The Slack Web API calls as Slack would receive them: URL, headers and the JSON body read back.
@Suite("Slack Web API: requests")
struct SlackWebAPITests {
    let api = SlackWebAPI(token: "xoxb-1111-2222-secret")

    /// An announcement with an Ack button, as the core composes one.
    static let announcement = Message(
        lines: [[.bold("INC-42"), .text(" opened · SEV1 · fraud — Card testing spike · reporter "), .mention(Fixtures.ava)]],
        actions: [MessageAction(name: "ack", label: "Ack", command: "ack INC-42", style: .primary)])

    func body(_ request: ChatAPIRequest) throws -> JSONValue {
        try JSONValue.parse(request.body)
    }

    func expectSlackCall(_ request: ChatAPIRequest, _ method: String) {
        #expect(request.method == "POST")
        #expect(request.url == "https://slack.com/api/\(method)")
        #expect(request.header("Content-Type") == "application/json; charset=utf-8")
        #expect(request.header("Authorization") == "Bearer xoxb-1111-2222-secret")
        #expect(request.platform == .slack)
    }

    @Test func postMessageCarriesTheRenderedBlocksAndText() throws {
        // MUT
        let request = api.postMessage(channel: "C0INCIDENTS", message: Self.announcement)
        // validate
        expectSlackCall(request, "chat.postMessage")
        #expect(request.operation == .postMessage)
        #expect(request.pacingKey == "slack:C0INCIDENTS")
        let json = try body(request)
        #expect(json["channel"] == "C0INCIDENTS")
        #expect(json["thread_ts"] == nil)
        #expect(json["unfurl_links"] == false)
        // The same text and blocks the webhook renderer makes.
        let webhook = SlackRenderer().webhookBody(Self.announcement)
        #expect(json["text"] == webhook["text"])
        #expect(json["blocks"] == webhook["blocks"])
        #expect(json["blocks"]?.arrayValue?.map { $0["type"]?.stringValue } == ["section", "actions"])
        #expect(json["text"]?.stringValue?.hasPrefix("INC-42 opened · SEV1") == true)
    }

    @Test func postMessageThreadsUnderTheAnnouncement() throws {
        let request = api.postMessage(channel: "C0INCIDENTS", message: Self.announcement, threadTS: "1733200000.000100")
        #expect(try body(request)["thread_ts"] == "1733200000.000100")
    }

    @Test func updateReplacesTextAndAllBlocks() throws {
        let redacted = Message(lines: [[.bold("INC-42"), .text(" opened · SEV1 · child-safety")]])
        let request = api.updateMessage(channel: "C0INCIDENTS", ts: "1733200000.000100", message: redacted)
        expectSlackCall(request, "chat.update")
        #expect(request.operation == .updateMessage)
        #expect(request.pacingKey == nil)
        let json = try body(request)
        #expect(json["channel"] == "C0INCIDENTS")
        #expect(json["ts"] == "1733200000.000100")
        #expect(json["text"] == "INC-42 opened · SEV1 · child-safety")
        // Blocks are always sent, so the old ones (and their buttons) are replaced, not kept.
        #expect(json["blocks"]?.arrayValue?.count == 1)
        #expect(json["blocks"]?.arrayValue?.first?["text"]?["text"] == "*INC-42* opened · SEV1 · child-safety")
    }

    @Test func conversationCalls() throws {
        let open = try api.openDirectChannel(users: ["U0AVA"])
        expectSlackCall(open, "conversations.open")
        #expect(try body(open) == ["users": "U0AVA"])

        let create = try api.createChannel(name: "inc-42-card-testing", isPrivate: true)
        expectSlackCall(create, "conversations.create")
        #expect(try body(create) == ["name": "inc-42-card-testing", "is_private": true])

        let invite = try api.invite(channel: "C0INC42ROOM", users: ["U0AVA", "U0BEN"])
        expectSlackCall(invite, "conversations.invite")
        #expect(try body(invite) == ["channel": "C0INC42ROOM", "users": "U0AVA,U0BEN"])

        let pin = api.pin(channel: "C0INC42ROOM", ts: "1733200000.000100")
        expectSlackCall(pin, "pins.add")
        #expect(try body(pin) == ["channel": "C0INC42ROOM", "timestamp": "1733200000.000100"])

        let archive = api.archive(channel: "C0INC42ROOM")
        expectSlackCall(archive, "conversations.archive")
        #expect(try body(archive) == ["channel": "C0INC42ROOM"])

        let topic = api.setTopic(channel: "C0INC42ROOM", topic: "INC-42 <!here> & co")
        expectSlackCall(topic, "conversations.setTopic")
        #expect(try body(topic) == ["channel": "C0INC42ROOM", "topic": "INC-42 &lt;!here&gt; &amp; co"])
        // A 429 on these holds back the method, not a channel.
        #expect(archive.rateLimitScope == "slack:conversations.archive")
    }

    @Test func userCountsAreChecked() {
        #expect(throws: ChatAPIRequestError.userCount(0)) { try api.invite(channel: "C1", users: []) }
        #expect(throws: ChatAPIRequestError.userCount(1001)) {
            try api.invite(channel: "C1", users: Array(repeating: "U0AVA", count: 1001))
        }
        #expect((try? api.invite(channel: "C1", users: Array(repeating: "U0AVA", count: 1000))) != nil)
        #expect(throws: ChatAPIRequestError.userCount(9)) { try api.openDirectChannel(users: Array(repeating: "U0AVA", count: 9)) }
    }

    @Test func baseURLIsOverridableWithOrWithoutASlash() {
        #expect(
            SlackWebAPI(token: "t", baseURL: "http://127.0.0.1:9/api").archive(channel: "C1").url
                == "http://127.0.0.1:9/api/conversations.archive")
        #expect(
            SlackWebAPI(token: "t", baseURL: "http://127.0.0.1:9/api/").archive(channel: "C1").url
                == "http://127.0.0.1:9/api/conversations.archive")
    }

    // MARK: - Channel names

    @Test("Channel names Slack accepts", arguments: ["inc-42", "inc_42", "a", String(repeating: "x", count: 80), "0-day"])
    func validNames(name: String) throws {
        #expect(SlackWebAPI.isValidChannelName(name))
        _ = try api.createChannel(name: name, isPrivate: false)
    }

    @Test(
        "Channel names Slack refuses", arguments: ["", "INC-42", "inc 42", "inc.42", "inc#42", "incé", String(repeating: "x", count: 81)])
    func invalidNames(name: String) {
        #expect(!SlackWebAPI.isValidChannelName(name))
        #expect(throws: ChatAPIRequestError.invalidChannelName(name)) { try api.createChannel(name: name, isPrivate: true) }
    }

    @Test(
        "A valid name from any text",
        arguments: [
            ("INC-42 Card testing spike", "inc-42-card-testing-spike"),
            ("  INC-7: <!channel> & friends!! ", "inc-7-channel-friends"),
            ("Ünïcode only ✓", "n-code-only"),
            ("!!!", "incident"),
            ("snake_case_kept", "snake_case_kept"),
        ])
    func channelNameFromText(text: String, name: String) {
        #expect(SlackWebAPI.channelName(from: text) == name)
        #expect(SlackWebAPI.isValidChannelName(SlackWebAPI.channelName(from: text)))
    }

    @Test func channelNameFromLongTextIsCut() {
        let name = SlackWebAPI.channelName(from: "inc-42 " + String(repeating: "word ", count: 40))
        #expect(name.count <= 80)
        #expect(SlackWebAPI.isValidChannelName(name))
        #expect(!name.hasSuffix("-"))
    }
}
