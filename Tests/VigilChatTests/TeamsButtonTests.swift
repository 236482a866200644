import Testing
import VigilChat
import VigilCore
import VigilJSON

/// Teams cards cannot send a press back, so buttons are links to the page that shows the command
/// to type, only when `public_url` is set, and the card stays version 1.4.
@Suite struct TeamsButtonTests {
    static let buttons = [
        MessageAction(name: "ack", label: "Ack", command: "ack INC-42", style: .primary),
        MessageAction(name: "resolve", label: "Resolve", command: "resolve INC-42", style: .danger, asks: "How was INC-42 resolved?"),
        MessageAction(name: "step-show", label: "Show step", command: "step INC-42 show a&b=c"),
    ]

    func card(_ body: JSONValue) -> JSONValue? {
        body["attachments"]?.arrayValue?.first?["content"]
    }

    @Test func buttonsAreOpenURLActionsToTheActPage() throws {
        // setup
        let renderer = TeamsRenderer(publicURL: "https://vigil.example.com/")
        let message = Message(lines: [[.bold("INC-42"), .text(" opened")]], actions: Self.buttons)

        // MUT
        let posted = try #require(card(renderer.webhookBody(message)))
        let replied = try #require(card(renderer.replyBody(Reply(.ephemeral, message))))

        // validate
        for card in [posted, replied] {
            #expect(card["version"] == "1.4")
            #expect(card["type"] == "AdaptiveCard")
            let actions = try #require(card["actions"]?.arrayValue)
            #expect(actions.count == 3)
            #expect(
                actions[0] == [
                    "type": "Action.OpenUrl", "title": "Ack", "url": "https://vigil.example.com/act?command=ack%20INC-42",
                    "style": "positive",
                ])
            #expect(actions[1]["style"] == "destructive")
            #expect(actions[2]["style"] == nil)
            #expect(actions[2]["url"] == "https://vigil.example.com/act?command=step%20INC-42%20show%20a%26b%3Dc")
        }
    }

    @Test func withoutPublicURLACardHasNoActions() throws {
        let message = Message(lines: [[.text("INC-42 opened")]], actions: Self.buttons)
        let body = TeamsRenderer().webhookBody(message)
        #expect(card(body)?["actions"] == nil)
        #expect(body == TeamsRenderer().webhookBody(Message(lines: [[.text("INC-42 opened")]])))
        #expect(
            TeamsAdapter(securityToken: [1, 2, 3]).renderer.webhookBody(message)["attachments"]?.arrayValue?.first?["content"]?["actions"]
                == nil)
    }

    @Test func atMostSixActions() throws {
        let actions = (0..<9).map { MessageAction(name: "b\($0)", label: "B\($0)", command: "show INC-\($0)") }
        let body = TeamsRenderer(publicURL: "https://v.example").webhookBody(Message(lines: [[.text("x")]], actions: actions))
        #expect(card(body)?["actions"]?.arrayValue?.count == 6)
    }

    @Test func theAdapterPassesPublicURLToItsRenderer() {
        let adapter = TeamsAdapter(securityToken: [1, 2, 3], publicURL: "https://vigil.example.com")
        let body = adapter.renderer.replyBody(Reply(.inChannel, Message(lines: [[.text("x")]], actions: Self.buttons)))
        #expect(card(body)?["actions"]?.arrayValue?.count == 3)
    }
}
