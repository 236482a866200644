import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON
import VigilTestSupport

/// Discord's rendering: escaping, the 2,000-character limit, who is pinged, and `/incident` as
/// one application command within Discord's limits.
@Suite struct DiscordRendererTests {
    let renderer = DiscordRenderer()
    static let discordAva = UserRef(id: "80351110224678912", name: "ava", platform: "discord")

    @Test func repliesAreMessagesAndPrivateOnesCarryFlag64() {
        let ephemeral = renderer.replyBody(Reply.ephemeral("Only you can see this"))
        #expect(ephemeral["type"]?.intValue == 4)
        #expect(ephemeral["data"]?["flags"]?.intValue == 64)
        #expect(ephemeral["data"]?["content"]?.stringValue == "Only you can see this")

        let shared = renderer.replyBody(Reply(.inChannel, Message(lines: [[.text("INC-1 acknowledged")]])))
        #expect(shared["data"]?["flags"] == nil)
        #expect(renderer.deferredReplyBody() == ["type": 5, "data": ["flags": 64]])
    }

    @Test func pingsExactlyTheDiscordUsersMentioned() {
        // setup
        let message = Message(lines: [
            [.text("Paging "), .mention(Self.discordAva), .text(", "), .mention(Fixtures.ben), .text(" and @everyone")],
            [.mention(Self.discordAva)],
        ])

        // MUT
        let body = renderer.webhookBody(message)

        // validate
        #expect(body["content"]?.stringValue == "Paging <@80351110224678912>, @ben and @everyone\n<@80351110224678912>")
        #expect(body["allowed_mentions"] == ["parse": [], "users": ["80351110224678912"]])
    }

    @Test func userTextRendersAsTypedAndLinksNothing() {
        let hostile = #"**bold** [click](https://evil.example) <@123456789012345678> `x` ~~s~~ ||spoiler|| a\b"#
        let content = renderer.webhookBody(
            Message(lines: [[.bold("INC-1 "), .text(hostile)], [.text("# heading")], [.text("- item")], [.text("1. first")]]))["content"]?
            .stringValue
        #expect(
            content
                == #"**INC-1 **\*\*bold\*\* \[click\](https://evil.example) \<@123456789012345678\> \`x\` \~\~s\~\~ \|\|spoiler\|\| a\\b"#
                + "\n\\# heading\n\\- item\n1\\. first")
    }

    @Test func contentStaysWithinTwoThousandCharacters() {
        // setup: 400 lines of 30 characters, and one line longer than a whole message
        let many = Message(lines: (1...400).map { [.text("line \($0) " + String(repeating: "x", count: 20))] })
        let long = Message(lines: [[.text(String(repeating: "y", count: 5000)), .mention(Self.discordAva)], [.text("after")]])

        // MUT
        let manyContent = renderer.webhookBody(many)["content"]?.stringValue ?? ""
        let longBody = renderer.webhookBody(long)

        // validate
        #expect(manyContent.unicodeScalars.count <= 2000)
        #expect(manyContent.hasPrefix("line 1 x"))
        #expect(manyContent.hasSuffix("more lines cut)"))
        let longContent = longBody["content"]?.stringValue ?? ""
        #expect(longContent.unicodeScalars.count <= 2000)
        #expect(longContent.hasSuffix("(1 more lines cut)"))
        // The cut took the mention with it, so nobody is pinged by a mention nobody sees.
        #expect(longBody["allowed_mentions"]?["users"] == [])
    }

    @Test func aCutNeverEndsInAnEscapesBackslash() {
        let content = renderer.webhookBody(Message(lines: [[.text(String(repeating: "*", count: 3000))]]))["content"]?.stringValue ?? ""
        #expect(content.unicodeScalars.count <= 2000)
        #expect(!content.dropLast().hasSuffix("\\") || content.dropLast().hasSuffix("\\*"))
    }

    @Test func theShippedCommandsRegisterWithinDiscordsLimits() throws {
        // setup
        let specs = try Fixtures.shippedSpecs()

        // MUT
        let command = try DiscordApplicationCommand.registration(specs: specs, severities: Fixtures.policy.severities.map(\.name))

        // validate
        #expect(command["name"] == "incident")
        let subcommands = command["options"]?.arrayValue ?? []
        #expect(Set(subcommands.compactMap { $0["name"]?.stringValue }) == Set(specs.map(\.name)))
        var total = 0
        for sub in subcommands {
            let options = sub["options"]?.arrayValue ?? []
            #expect(options.count <= 25)
            #expect((sub["description"]?.stringValue ?? "").count <= 100)
            // Discord refuses a required option after an optional one.
            let required = options.map { $0["required"]?.boolValue ?? false }
            #expect(required == required.sorted(by: { $0 && !$1 }))
            total += (sub["name"]?.stringValue ?? "").count + (sub["description"]?.stringValue ?? "").count
            for option in options {
                total += (option["name"]?.stringValue ?? "").count + (option["description"]?.stringValue ?? "").count
                #expect((option["choices"]?.arrayValue ?? []).count <= 25)
            }
        }
        #expect(total <= 4000)
        let open = try #require(subcommands.first { $0["name"] == "open" })
        let severity = try #require(open["options"]?.arrayValue?.first { $0["name"] == "severity" })
        #expect(severity["choices"]?.arrayValue?.compactMap { $0["value"]?.stringValue } == Fixtures.policy.severities.map(\.name))
        let assign = try #require(subcommands.first { $0["name"] == "assign" })
        #expect(assign["options"]?.arrayValue?.first { $0["name"] == "user" }?["type"] == 6)
    }

    @Test func refusesSpecsDiscordWouldRefuse() {
        let tooMany = (1...26).map { CommandSpec(name: "c\($0)", summary: "s", usage: "c\($0)") }
        #expect(throws: DiscordApplicationCommand.MappingError.self) {
            try DiscordApplicationCommand.registration(specs: tooMany, severities: [])
        }
        let badName = [CommandSpec(name: "open", summary: "s", usage: "open", arguments: [ArgumentSpec(name: "Title", type: .text)])]
        #expect(throws: DiscordApplicationCommand.MappingError.self) {
            try DiscordApplicationCommand.registration(specs: badName, severities: [])
        }
    }
}
