import Testing
import VigilChat
import VigilCore
import VigilJSON

@Suite struct RendererTests {
    let message = Message(lines: [
        [.bold("INC-7"), .text(" opened · SEV1 · fraud — Refunds <&> chargebacks · reporter "), .mention(UserRef(id: "U0AVA", name: "ava"))],
        [.text("act: "), .code("/incident ack INC-7")],
    ])

    @Test func slackReplyHasResponseTypeTextFallbackAndMrkdwnBlocks() throws {
        let json = SlackRenderer().replyBody(Reply(.inChannel, message))
        #expect(json["response_type"]?.stringValue == "in_channel")
        #expect(json["text"]?.stringValue == "INC-7 opened · SEV1 · fraud — Refunds &lt;&amp;&gt; chargebacks · reporter @ava\nact: /incident ack INC-7")
        let section = json["blocks"]?.arrayValue?.first
        #expect(section?["type"]?.stringValue == "section")
        #expect(section?["text"]?["type"]?.stringValue == "mrkdwn")
        #expect(section?["text"]?["text"]?.stringValue == "*INC-7* opened · SEV1 · fraud — Refunds &lt;&amp;&gt; chargebacks · reporter <@U0AVA>\nact: `/incident ack INC-7`")
        // The body json-c prints parses back to the same value.
        #expect(try JSONValue.parse(json.serialized()) == json)
    }

    @Test func slackMentionsANameOnlyUserByName() {
        let line = SlackRenderer().webhookBody(Message(lines: [[.mention(UserRef(id: "ben", name: "ben"))]]))
        #expect(line["blocks"]?.arrayValue?.first?["text"]?["text"]?.stringValue == "@ben")
    }

    @Test func slackStaysWithinBlockKitLimits() {
        let long = Message(lines: (0..<400).map { [.text("line \($0) " + String(repeating: "x", count: 400))] })
        let json = SlackRenderer().webhookBody(long)
        let blocks = json["blocks"]?.arrayValue ?? []
        #expect(blocks.count <= 50)
        #expect(blocks.allSatisfy { ($0["text"]?["text"]?.stringValue?.count ?? 0) <= 3000 })
        #expect((json["text"]?.stringValue?.count ?? 0) <= 4000)
    }

    @Test func mattermostUsesMarkdownAndNames() {
        let json = MattermostRenderer().replyBody(Reply(.ephemeral, message))
        #expect(json["response_type"]?.stringValue == "ephemeral")
        // `<`, `&` and `>` as entities: Mattermost's Markdown would otherwise read `<…>` as a link or tag.
        #expect(json["text"]?.stringValue == "**INC-7** opened · SEV1 · fraud — Refunds &lt;&amp;&gt; chargebacks · reporter @ava\nact: `/incident ack INC-7`")
        #expect(MattermostRenderer().webhookBody(message)["response_type"] == nil)
    }
}
