import Testing
import VigilChat
import VigilCore
import VigilJSON

/// What every chat API request promises whatever the platform: its printed forms never show
/// the token, and user text inside a message stays text.
@Suite("Chat API requests: redaction and escaping")
struct ChatAPIRequestTests {
    static let slack = SlackWebAPI(token: "xoxb-1111-2222-secret")
    static let mattermost = MattermostAPI(serverURL: "https://chat.example.com", token: "mmsecrettoken0000000000000")

    static let requests: [ChatAPIRequest] = [
        slack.postMessage(channel: "C1", message: Message(lines: [[.text("hi")]])),
        slack.archive(channel: "C1"),
        mattermost.currentUser(),
        mattermost.createPost(channelID: "c1", message: Message(lines: [[.text("hi")]])),
    ]

    @Test("Printing a request hides its token", arguments: requests)
    func redacted(request: ChatAPIRequest) {
        var dumped = ""
        dump(request, to: &dumped)
        for printed in [request.description, String(reflecting: request), "\(request.headers)", dumped] {
            #expect(!printed.contains("secret"))
            #expect(printed.contains("Authorization: Bearer <redacted>"))
        }
        #expect(request.description.hasPrefix("\(request.method) \(request.url) ["))
    }

    @Test func printingTheAPIsHidesTheirTokens() {
        var dumped = ""
        dump(Self.slack, to: &dumped)
        dump(Self.mattermost, to: &dumped)
        for printed in ["\(Self.slack)", String(reflecting: Self.mattermost), dumped] {
            #expect(!printed.contains("secret"))
        }
    }

    /// A title as a responder typed it, announced as the core announces an incident.
    static func announcement(_ title: String) -> Message {
        Message(lines: [[.bold("INC-7"), .text(" opened · SEV1 · fraud — \(title)")]])
    }

    @Test(
        "Slack: a channel-wide mention typed in a title stays text",
        arguments: ["<!channel>", "<!here>", "<@U0BEN>", "<https://evil.example|x>"])
    func slackEscaping(title: String) throws {
        let body = try JSONValue.parse(Self.slack.postMessage(channel: "C1", message: Self.announcement(title)).body)
        let escaped = title.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        #expect(body["text"]?.stringValue == "INC-7 opened · SEV1 · fraud — \(escaped)")
        #expect(body["blocks"]?.arrayValue?.first?["text"]?["text"]?.stringValue == "*INC-7* opened · SEV1 · fraud — \(escaped)")
        let update = try JSONValue.parse(Self.slack.updateMessage(channel: "C1", ts: "1.2", message: Self.announcement(title)).body)
        #expect(update["text"] == body["text"])
        #expect(!update.serializedString().contains(title))
    }

    @Test("Mattermost: a channel-wide mention typed in a title stays text", arguments: ["@channel", "@all", "@here"])
    func mattermostEscaping(title: String) throws {
        let post = try JSONValue.parse(Self.mattermost.createPost(channelID: "c1", message: Self.announcement(title)).body)
        let expected = "**INC-7** opened · SEV1 · fraud — @\u{200D}\(title.dropFirst())"
        #expect(post["message"]?.stringValue == expected)
        let patch = try JSONValue.parse(try Self.mattermost.patchPost(postID: "p1", message: Self.announcement(title)).body)
        #expect(patch["message"]?.stringValue == expected)
    }
}
