import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON
import VigilTestSupport

/// Teams' adapter over a recorded-shape activity signed with protocols.md §8.3's token: the HMAC
/// before anything is parsed, the activity's timestamp after it, and the command text after
/// the webhook's mention.
@Suite struct TeamsAdapterTests {
    let adapter = TeamsAdapter(securityToken: TeamsSignatureTests.key)
    let signer = TeamsSignature(securityToken: TeamsSignatureTests.key)
    let fixture: [UInt8]
    /// The fixture's `timestamp`, 2017-04-06T21:33:48.6419024Z.
    static let sentAt = Date(timeIntervalSince1970: 1_491_514_428.6419024)

    init() throws {
        fixture = try FixtureLoader.bytes("teams-outgoing-webhook.json")
    }

    func signed(_ body: [UInt8]) -> ChatRequest {
        chatRequest(body, path: "/teams/messages", headers: ["authorization": signer.sign(body: body)])
    }

    /// A signed activity: a message at ``sentAt`` with `text` and `entities`, and `changes`
    /// applied last (a `nil` value removes the member).
    func activity(text: String, entities: [JSONValue] = [], _ changes: [(String, JSONValue?)] = []) -> ChatRequest {
        var members: [(String, JSONValue)] = [
            ("type", "message"), ("id", "1700000000001"), ("timestamp", "2017-04-06T21:33:48.6419024Z"),
            ("from", ["id": "29:1ava0Kp3XyZ", "name": "Ava Lindqvist"]), ("conversation", ["id": "19:abc@thread.skype"]),
            ("text", .string(text)), ("entities", .array(entities)),
        ]
        for (key, value) in changes {
            members.removeAll { $0.0 == key }
            if let value { members.append((key, value)) }
        }
        return signed(JSONValue.object(members).serialized())
    }

    static func mention(_ name: String, id: String) -> JSONValue {
        ["type": "mention", "text": .string("<at>\(name)</at>"), "mentioned": ["id": .string(id), "name": .string(name)]]
    }

    func decodedText(_ request: ChatRequest) throws -> String {
        guard case let .command(invocation) = try adapter.decode(request) else {
            Issue.record("a message is a command")
            return ""
        }
        return invocation.text
    }

    // MARK: - Verification

    @Test func servesTeamsMessagesAsTeams() {
        #expect(adapter.platform == "teams")
        #expect(adapter.paths == ["/teams/messages"])
    }

    @Test func verifiesAndDecodesTheRecordedActivity() throws {
        // setup
        let request = signed(fixture)

        // MUT
        try adapter.verify(request, now: Self.sentAt.addingTimeInterval(60))
        let content = try adapter.decode(request)

        // validate
        #expect(
            content
                == .command(
                    Invocation(
                        platform: "teams", user: UserRef(id: "29:1ava0Kp3XyZ", name: "Ava Lindqvist", platform: "teams"), channelName: "",
                        channelID: "19:5ab1c2d3e4f5a6b7@thread.skype", command: "/incident",
                        text: "assign INC-1 <@29:1ben7Qr2WvU|Ben_Okafor>",
                        responseURL: nil, requestID: "1485983408511", repliesArePrivate: false)))
    }

    @Test("within five minutes either way the timestamp passes", arguments: [0.0, 300, -300])
    func acceptsATimestampWithinTheWindow(offset: TimeInterval) throws {
        try adapter.verify(signed(fixture), now: Self.sentAt.addingTimeInterval(offset))
    }

    @Test("301 s after or before the activity's timestamp is stale", arguments: [301.0, -301, 86_400])
    func refusesAStaleTimestamp(offset: TimeInterval) {
        #expect(throws: ChatRequestError(.unauthorized, "stale activity timestamp")) {
            try adapter.verify(signed(fixture), now: Self.sentAt.addingTimeInterval(offset))
        }
    }

    @Test(
        arguments: [
            (nil, "missing activity timestamp"), (.string(""), "missing activity timestamp"), (1_491_514_428, "missing activity timestamp"),
            (.string("yesterday"), "malformed activity timestamp"), (.string("2017-04-06T21:33:48"), "malformed activity timestamp"),
        ] as [(JSONValue?, String)])
    func refusesAMissingOrMalformedTimestamp(timestamp: JSONValue?, reason: String) {
        let request = activity(text: "<at>Vigil</at> status", [("timestamp", timestamp)])
        #expect(throws: ChatRequestError(.unauthorized, reason)) { try adapter.verify(request, now: Self.sentAt) }
    }

    @Test func theSignatureIsCheckedBeforeTheBodyIsRead() {
        let notJSON = Array("not json".utf8)
        #expect(throws: ChatRequestError(.unauthorized, "missing Authorization")) {
            try adapter.verify(chatRequest(notJSON, path: "/teams/messages"), now: Self.sentAt)
        }
        var tampered = fixture
        tampered[tampered.count - 2] ^= 1
        #expect(throws: ChatRequestError(.unauthorized, "invalid signature")) {
            try adapter.verify(
                chatRequest(tampered, path: "/teams/messages", headers: ["Authorization": signer.sign(body: fixture)]), now: Self.sentAt)
        }
        #expect(throws: ChatRequestError(.malformed, "body is not a JSON object")) { try adapter.verify(signed(notJSON), now: Self.sentAt) }
        #expect(throws: ChatRequestError(.malformed, "body is not a JSON object")) {
            try adapter.verify(signed(Array("[]".utf8)), now: Self.sentAt)
        }
    }

    // MARK: - Decoding

    @Test(
        "the webhook's own mention is dropped, whatever its name and wrapping",
        arguments: [
            "<at>Vigil</at> ack INC-1", "<at>Incident Bot</at>&nbsp;ack INC-1", "<p><at>Vigil</at> ack INC-1</p>",
            "<at>Vigil</at> /incident ack INC-1",
            "<at>Vigil</at> incident ack INC-1", "<at>Vigil</at> Incident ack INC-1", "<at>Vigil</at>\u{00A0}ack INC-1",
            "<div><p class=\"x\"><at>Vigil</at> ack INC-1<br/></p></div>", "  <AT>Vigil</AT>   ack INC-1\n",
        ])
    func stripsTheWebhooksMention(text: String) throws {
        #expect(try decodedText(activity(text: text)) == "ack INC-1")
    }

    @Test("a person mentioned with an entity becomes a mention the core reads; without one, a name it never trusts")
    func laterMentionsBecomeUserMentions() throws {
        // setup
        let parser = try Fixtures.parser()
        let withEntity = activity(
            text: "<at>Vigil</at> assign INC-1 <at>Ava</at>",
            entities: [Self.mention("Vigil", id: "28:bot"), Self.mention("Ava", id: "29:1ava")])
        let withoutEntity = activity(text: "<at>Vigil</at> assign INC-1 <at>Ava</at>", entities: [Self.mention("Vigil", id: "28:bot")])
        let platformLike = activity(
            text: "<at>Vigil</at> assign INC-1 <at>Ava</at>",
            entities: [Self.mention("Vigil", id: "28:bot"), Self.mention("Ava", id: "slack:U0BOSS")])

        // MUT
        let texts = try [withEntity, withoutEntity, platformLike].map(decodedText)

        // validate
        #expect(texts == ["assign INC-1 <@29:1ava|Ava>", "assign INC-1 @Ava", "assign INC-1 @Ava"])
        #expect(try parser.parse(texts[0]).user("user") == UserRef(id: "29:1ava", name: "Ava"))
        #expect(try parser.parse(texts[1]).user("user") == UserRef(id: "Ava", name: "Ava"))
    }

    @Test func twoPeopleWithOneNameAreToldApartByPosition() throws {
        let request = activity(
            text: "<at>Vigil</at> note INC-1 <at>Sam</at> and <at>Sam</at>",
            entities: [Self.mention("Vigil", id: "28:bot"), Self.mention("Sam", id: "29:1sam"), Self.mention("Sam", id: "29:2sam")])
        #expect(try decodedText(request) == "note INC-1 <@29:1sam|Sam> and <@29:2sam|Sam>")
    }

    @Test("what the user typed keeps the tokenizer's escapes, so typed markup is never a mention")
    func typedTextStaysText() throws {
        let cases: [(String, String)] = [
            (
                "<at>Vigil</at> note INC-1 R&amp;D said &quot;hi&quot;, it&#39;s &lt;ok&gt;",
                "note INC-1 R&amp;D said \"hi\", it's &lt;ok&gt;"
            ),
            ("<at>Vigil</at> note INC-1 &lt;@29:1boss|Boss&gt;", "note INC-1 &lt;@29:1boss|Boss&gt;"),
            (
                "<at>Vigil</at> note INC-1 &#60;@x&#62; &#x26; &copy; 5 < 6 & 7 > 3",
                "note INC-1 &lt;@x&gt; &amp; &amp;copy; 5 &lt; 6 &amp; 7 &gt; 3"
            ),
            ("<at>Vigil</at> note INC-1 <b>bold</b> <a href=\"https://x.example/?a>b\">link</a>", "note INC-1 bold link"),
        ]
        for (text, expected) in cases {
            let decoded = try decodedText(activity(text: text))
            #expect(decoded == expected)
            #expect(!decoded.contains("<"))
        }
        // The tokenizer undoes exactly those escapes: the note reads as typed.
        #expect(Tokenizer.decodeEntities("R&amp;D said \"hi\", it's &lt;ok&gt;") == "R&D said \"hi\", it's <ok>")
    }

    @Test(
        arguments: [
            ("type", JSONValue.string("conversationUpdate"), "not a message activity"), ("type", nil, "not a message activity"),
            ("type", "invoke", "not a message activity"), ("id", nil, "missing activity id"), ("id", "", "missing activity id"),
            ("from", ["name": "Ava"], "missing from.id"), ("from", nil, "missing from.id"),
        ] as [(String, JSONValue?, String)])
    func anActivityThatIsNotAMessageFromSomeoneIsMalformed(key: String, value: JSONValue?, reason: String) {
        let request = activity(text: "<at>Vigil</at> ack INC-1", [(key, value)])
        #expect(throws: ChatRequestError(.malformed, reason)) { try adapter.decode(request) }
    }

    @Test func theChannelIsTheTeamsChannelOrElseTheConversation() throws {
        guard case let .command(invocation) = try adapter.decode(activity(text: "<at>Vigil</at> status", [("from", ["id": "29:x"])]))
        else {
            Issue.record("a message is a command")
            return
        }
        #expect(invocation.channelID == "19:abc@thread.skype")
        #expect(invocation.user == UserRef(id: "29:x", name: "29:x", platform: "teams"))
        #expect(!invocation.repliesArePrivate)
        #expect(invocation.responseURL == nil)
    }

    @Test func repliesAreAdaptiveCards() {
        let body = adapter.renderer.replyBody(Reply(.ephemeral, Message(lines: [[.bold("INC-1"), .text(" opened")]])))
        #expect(body["attachments"]?.arrayValue?.first?["content"]?["version"]?.stringValue == TeamsRenderer.cardVersion)
    }
}
