import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON
import VigilTestSupport

/// What every platform's buttons share: a restricted incident's buttons say its ID and nothing
/// else of the message, and no press payload, however malformed, does more than refuse.
@Suite struct ButtonSafetyTests {
    static let secret = "Minor safety report about Jordan Smith"

    /// A restricted incident's buttons on a message that itself shows the title, as a cleared
    /// responder's private view may.
    static func restrictedMessage() -> Message {
        let incident = Incident(
            number: 42, title: secret, severity: "sev1", category: "child-safety", reporter: Fixtures.ava, platform: "slack",
            channel: "C1", openedAt: Fixtures.t0, knownAt: Fixtures.t0, restricted: true)
        let actions = IncidentActions.lifecycle(incident, policy: Fixtures.policy)
        return Message(lines: [[.bold("INC-42")], [.text(secret)]], actions: actions)
    }

    /// The parts of each platform's body that are buttons.
    static func renderedButtons() -> [(String, JSONValue?)] {
        let message = restrictedMessage()
        let mattermost = MattermostRenderer(buttons: .init(publicURL: "https://vigil.example.com", token: "t"))
        let teams = TeamsRenderer(publicURL: "https://vigil.example.com")
        return [
            ("slack", SlackRenderer().webhookBody(message)["blocks"]?.arrayValue?.last),
            ("discord", DiscordRenderer().webhookBody(message)["components"]),
            ("mattermost", mattermost.webhookBody(message)["attachments"]),
            ("teams", teams.webhookBody(message)["attachments"]?.arrayValue?.first?["content"]?["actions"]),
        ]
    }

    @Test func aRestrictedIncidentsButtonsHoldItsIDOnly() throws {
        // setup
        #expect(!Self.restrictedMessage().actions.isEmpty)

        // MUT
        for (platform, buttons) in Self.renderedButtons() {
            let text = try #require(buttons, "\(platform) rendered no buttons").serializedString()

            // validate
            #expect(text.contains("INC-42"), "\(platform)")
            for word in Self.secret.split(separator: " ") where word.count > 3 {
                #expect(!text.localizedCaseInsensitiveContains(word), "\(platform) buttons hold \(word)")
            }
            #expect(!text.contains("child-safety"), "\(platform)")
        }
    }

    // MARK: - Malformed presses

    /// Bytes that change a JSON or form body's structure, not just its text.
    static let structural = Array(#"{}[]":,\%&="#.utf8)

    /// Every prefix of `bytes`, and `count` copies with a few bytes changed (a fixed seed, so a
    /// failure repeats).
    static func mutations(of bytes: [UInt8], count: Int = 300) -> [[UInt8]] {
        var generator = SplitMix(seed: 0x5EED)
        var out = stride(from: 0, to: bytes.count, by: max(1, bytes.count / 60)).map { Array(bytes.prefix($0)) }
        for _ in 0..<count {
            var copy = bytes
            for _ in 0..<(1 + Int(generator.next() % 4)) where !copy.isEmpty {
                let at = Int(generator.next() % UInt64(copy.count))
                switch generator.next() % 3 {
                case 0: copy[at] = UInt8(truncatingIfNeeded: generator.next())
                case 1: copy.remove(at: at)
                default: copy.insert(Self.structural[Int(generator.next() % UInt64(Self.structural.count))], at: at)
                }
            }
            out.append(copy)
        }
        return out
    }

    /// A press either decodes as `/incident <command>` or is refused with a ``ChatRequestError``
    /// (the decoders throw nothing else by type); the test is that none of it crashes.
    static func expectPressOrRefusal(_ decode: () throws(ChatRequestError) -> ChatRequestContent) {
        do {
            switch try decode() {
            case let .press(invocation):
                #expect(invocation.command == "/incident")
                #expect(!invocation.requestID.isEmpty)
            case .command, .handshake, .refused: break
            }
        } catch {
            #expect(!error.reason.isEmpty)
        }
    }

    @Test func slackPressesNeverCrash() throws {
        let adapter = SlackAdapter(signingSecret: "s")
        let form = try FormBody(decoding: FixtureLoader.bytes("slack-block-actions.form"))
        let payload = Array(try #require(form["payload"]).utf8)
        for mutated in Self.mutations(of: payload) {
            let body = Array(FormBody(fields: [("payload", String(decoding: mutated, as: UTF8.self))]).encoded().utf8)
            Self.expectPressOrRefusal { () throws(ChatRequestError) in try adapter.decode(chatRequest(body, path: "/slack/interactions")) }
        }
        for mutated in Self.mutations(of: try FixtureLoader.bytes("slack-block-actions.form")) {
            Self.expectPressOrRefusal { () throws(ChatRequestError) in try adapter.decode(chatRequest(mutated, path: "/slack/interactions"))
            }
        }
    }

    @Test func discordPressesNeverCrash() throws {
        let adapter = try DiscordAdapter(
            publicKey: DiscordRequestSigner(seed: DiscordAdapterTests.seed).publicKey, applicationID: "1", specs: Fixtures.shippedSpecs())
        for fixture in ["discord-component-ack.json", "discord-component-ask-resolve.json", "discord-modal-submit-resolve.json"] {
            for mutated in Self.mutations(of: try FixtureLoader.bytes(fixture)) {
                Self.expectPressOrRefusal { () throws(ChatRequestError) in
                    try adapter.decode(chatRequest(mutated, path: "/discord/interactions"))
                }
            }
        }
    }

    @Test func mattermostPressesNeverCrash() throws {
        let adapter = MattermostAdapter(token: MattermostButtonTests.token, publicURL: "https://vigil.example.com")
        for mutated in Self.mutations(of: try FixtureLoader.bytes("mattermost-action-press.json")) {
            let request = chatRequest(mutated, path: "/mattermost/actions")
            Self.expectPressOrRefusal { () throws(ChatRequestError) in
                try adapter.verify(request, now: Date())
                return try adapter.decode(request)
            }
            // Decoding is safe on its own too, whatever the MAC says.
            Self.expectPressOrRefusal { () throws(ChatRequestError) in try adapter.decode(request) }
        }
    }
}

/// A small deterministic generator (SplitMix64), so the mutations are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
