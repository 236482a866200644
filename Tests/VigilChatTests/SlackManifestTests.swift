import Testing
import VigilChat
import VigilCore
import VigilJSON
import VigilTestSupport

/// The Slack app manifest `vigil manifest slack` prints: its URLs, escaping, scopes and Slack's
/// field limits (from Slack's app manifest reference).
@Suite struct SlackManifestTests {
    static let publicURL = "https://vigil.example.com"

    func slashCommand(_ manifest: JSONValue) throws -> JSONValue {
        let commands = try #require(manifest["features"]?["slash_commands"]?.arrayValue)
        try #require(commands.count == 1)
        return commands[0]
    }

    @Test(arguments: [
        ("https://vigil.example.com", "https://vigil.example.com/slack/commands"),
        ("https://example.com/vigil", "https://example.com/vigil/slack/commands"),
        ("https://vigil.example.com/", "https://vigil.example.com/slack/commands"),
    ])
    func theCommandURLComesFromPublicURL(publicURL: String, expected: String) throws {
        // MUT
        let manifest = SlackManifest.document(publicURL: publicURL, specs: try Fixtures.shippedSpecs())

        // validate
        let command = try slashCommand(manifest)
        #expect(command["command"] == "/incident")
        #expect(command["url"]?.stringValue == expected)
    }

    @Test func theCommandPathIsTheOneTheSlackAdapterServes() {
        #expect(SlackAdapter(signingSecret: "s").paths.contains(SlackManifest.commandsPath))
    }

    @Test func mentionsAreEscapedSoTheyCarryUserIDs() throws {
        let manifest = SlackManifest.document(publicURL: Self.publicURL, specs: try Fixtures.shippedSpecs())
        #expect(try slashCommand(manifest)["should_escape"] == true)
    }

    @Test func asksForTheCommandsAndIncomingWebhookScopesOnly() throws {
        let manifest = SlackManifest.document(publicURL: Self.publicURL, specs: try Fixtures.shippedSpecs())
        #expect(manifest["oauth_config"]?["scopes"]?["bot"] == ["commands", "incoming-webhook"])
        #expect(manifest["oauth_config"]?["scopes"]?["user"] == nil)
    }

    @Test func sendsButtonPressesToTheInteractionsPath() throws {
        // MUT
        let manifest = SlackManifest.document(publicURL: Self.publicURL, specs: try Fixtures.shippedSpecs())

        // validate
        let settings = try #require(manifest["settings"])
        #expect(settings["interactivity"]?["is_enabled"] == true)
        #expect(settings["interactivity"]?["request_url"]?.stringValue == Self.publicURL + "/slack/interactions")
        #expect(SlackAdapter(signingSecret: "s").paths.contains(SlackManifest.interactionsPath))
        #expect(settings["socket_mode_enabled"] == false)
        #expect(settings["org_deploy_enabled"] == false)
        #expect(settings["token_rotation_enabled"] == false)
    }

    @Test func theShippedSpecsGiveAUsageHintWithinItsLimit() throws {
        // MUT
        let hint = try #require(
            try slashCommand(SlackManifest.document(publicURL: Self.publicURL, specs: Fixtures.shippedSpecs()))["usage_hint"]?.stringValue)

        // validate
        #expect(hint.count <= SlackManifest.usageHintLimit)
        #expect(hint.hasPrefix("help [subcommand] | open <severity> <category> <title…> | ack <id>"))
        // Options are left out; the sub-commands that do not fit are marked, not cut in the middle.
        #expect(!hint.contains("--"))
        #expect(hint.hasSuffix(" | …"))
    }

    @Test func aShortSetOfSpecsIsListedWhole() throws {
        // setup
        let specs = [
            CommandSpec(name: "ack", summary: "Acknowledge.", usage: "ack <id>"),
            CommandSpec(name: "help", summary: "Help.", usage: "help [subcommand]"),
            CommandSpec(name: "report", summary: "Figures.", usage: "report [period] [--share]"),
        ]

        // MUT
        let hint = try slashCommand(SlackManifest.document(publicURL: Self.publicURL, specs: specs))["usage_hint"]?.stringValue

        // validate
        #expect(hint == "help [subcommand] | ack <id> | report [period]")
    }

    @Test func aSingleOverlongUsageIsCutToTheLimit() throws {
        let specs = [CommandSpec(name: "help", summary: "Help.", usage: "help " + String(repeating: "x", count: 300))]
        let hint = try #require(
            try slashCommand(SlackManifest.document(publicURL: Self.publicURL, specs: specs))["usage_hint"]?.stringValue)
        #expect(hint.count == SlackManifest.usageHintLimit)
        #expect(hint.hasSuffix("…"))
    }

    @Test func fieldsAreWithinSlacksLimits() throws {
        // MUT
        let manifest = SlackManifest.document(publicURL: Self.publicURL, specs: try Fixtures.shippedSpecs())

        // validate: display_information.name 35, description 140; bot display_name 80; command 32
        // and its description 2,000 characters.
        let display = try #require(manifest["display_information"])
        #expect(display["name"] == "Vigil")
        #expect((display["description"]?.stringValue ?? "").count <= 140)
        #expect(manifest["features"]?["bot_user"]?["display_name"] == "Vigil")
        #expect(manifest["features"]?["bot_user"]?["always_online"] == true)
        let command = try slashCommand(manifest)
        #expect((command["command"]?.stringValue ?? "").count <= 32)
        let description = try #require(command["description"]?.stringValue)
        #expect(!description.isEmpty && description.count <= 2000)
    }

    @Test func theManifestIsValidJSON() throws {
        let manifest = SlackManifest.document(publicURL: Self.publicURL, specs: try Fixtures.shippedSpecs())
        #expect(try JSONValue.parse(manifest.serializedString()) == manifest)
    }
}
