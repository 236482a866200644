import Testing
import VigilChat
import VigilCore

@Suite struct SlashCommandDecodingTests {
    @Test func decodesSlacksRecordedPayload() throws {
        let form = try FormBody(decoding: try FixtureLoader.bytes("slack-slash-command-mention.form"))
        let invocation = try SlashCommandDecoder.decode(form, platform: "slack")
        #expect(invocation.user == UserRef(id: "U2147483697", name: "Steve", platform: "slack"))
        #expect(invocation.channelName == "ts-incidents")
        #expect(invocation.command == "/incident")
        #expect(invocation.text == "assign INC-42 <@U0BEN|ben> &amp; more")
        #expect(invocation.requestID == "13345224609.738474920.8088930838d88f008e0")
        #expect(invocation.responseURL == "https://hooks.slack.com/commands/1234/5678")
        #expect(form["enterprise_name"] == "Globular Construct Inc")
    }

    @Test func decodesMattermostsRecordedPayload() throws {
        let form = try FormBody(decoding: try FixtureLoader.bytes("mattermost-slash-command.form"))
        let invocation = try SlashCommandDecoder.decode(form, platform: "mattermost")
        #expect(invocation.user == UserRef(id: "erj6qck3rfgtujs86w5r6rckzh", name: "alan", platform: "mattermost"))
        #expect(invocation.text == "open sev1 fraud Card testing spike")
        #expect(invocation.channelName == "town-square")
        #expect(form["token"] == "qzgakf1nx3yt9dr4n8585ihbxy")
    }

    @Test(arguments: ["user_id", "command", "trigger_id"])
    func aMissingRequiredFieldIsMalformed(field: String) throws {
        let full = ["user_id=U1", "command=%2Fincident", "trigger_id=1.2.3", "text=help"]
        let body = full.filter { !$0.hasPrefix(field + "=") }.joined(separator: "&")
        #expect(throws: ChatRequestError(.malformed, "missing field \(field)")) {
            try SlashCommandDecoder.decode(try FormBody(decoding: Array(body.utf8)), platform: "slack")
        }
    }

    @Test(arguments: ["text=%ZZ", "text=%4", "text=%C3%28"])
    func badPercentEncodingOrUTF8IsMalformed(body: String) {
        #expect(throws: ChatRequestError.self) { try FormBody(decoding: Array(body.utf8)) }
    }

    @Test func formEncodingRoundTrips() throws {
        let form = FormBody(fields: [("text", "open sev1 fraud \"Café & <@U1|ava>\" 100%"), ("empty", "")])
        #expect(try FormBody(decoding: Array(form.encoded().utf8)) == form)
    }
}
