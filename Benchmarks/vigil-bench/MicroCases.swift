import Foundation
import VigilChat
import VigilCore

// MARK: - Command parser

/// `CommandParser.parse` over a mix of realistic `/incident` texts, each alone and the mix as a whole.
struct ParserCases {
    let parser: CommandParser

    /// The text, and the subcommand it must parse to (`nil`: it must be refused with a suggestion).
    static let mix: [(String, Subcommand?)] = [
        ("open sev1 fraud \"Card testing spike on checkout\" --ref ZD-88213 --known \"2026-11-28 20:15\"", .open),
        ("open moderation sev2 Coordinated harassment of a creator --playbook harassment --ref ZD-88214 --ref ZD-88215", .open),
        ("ack INC-42", .ack),
        ("assign INC-42 <@U0BEN|ben>", .assign),
        ("assign 42 <@U0AVA>", .assign),
        ("assign INC-42 @dee", .assign),
        ("escalate INC-42 Fraud losses above 10k EUR in the last hour", .escalate),
        ("resolve INC-42 Blocked the BIN range and refunded 37 affected cards", .resolve),
        ("note INC-42 Attack traffic comes from 3 ASNs; rate limit raised to 5 per minute", .note),
        ("sev INC-42 sev1", .sev),
        ("list breached fraud", .list),
        ("status INC-42", .status),
        ("help open", .help),
        ("escalte INC-42 losses still rising", nil),
    ]

    init(fixtures: MicroFixtures) {
        parser = CommandParser(specs: fixtures.specs, policy: fixtures.policy)
    }

    func run(_ timer: MicroTimer) throws -> ParserFigures {
        // Check every text parses as intended before timing it.
        for (text, expected) in Self.mix {
            do {
                let parsed = try parser.parse(text)
                guard parsed.subcommand == expected else {
                    throw BenchmarkError("“\(text)” parsed as \(parsed.subcommand), not \(String(describing: expected))")
                }
            } catch let error as UserError {
                guard expected == nil, error.message.contains("Did you mean `escalate`?") else {
                    throw BenchmarkError("“\(text)” was refused: \(error.message)")
                }
            }
        }
        progress("parser: \(parser.specs.count) specs, \(Self.mix.count) commands")
        let parser = self.parser
        let texts = Self.mix.map(\.0)
        let whole = timer.time("The whole mix (\(texts.count) commands), per command", section: "parser", operations: texts.count) {
            for text in texts { parse(parser, text) }
        }
        var each: [MicroResult] = []
        for (text, expected) in Self.mix {
            let name = "`\(text)`" + (expected == nil ? ", refused with a suggestion" : "")
            each.append(timer.time(name, section: "parser", bytes: text.utf8.count) { parse(parser, text) })
        }
        return ParserFigures(mix: whole, each: each)
    }
}

@inline(__always)
private func parse(_ parser: CommandParser, _ text: String) {
    attempt { blackhole(try parser.parse(text)) }
}

struct ParserFigures {
    var mix: MicroResult
    var each: [MicroResult]

    var slowest: MicroResult { each.max { $0.median < $1.median }! }

    var markdown: String {
        var text = "### Command parser (`CommandParser.parse`)\n\n" + MicroFormat.header + "\n"
        text += MicroFormat.row(mix) + "\n"
        for result in each { text += MicroFormat.row(result) + "\n" }
        let medians = each.map(\.median).sorted()
        text += "\nMedian over the \(each.count) commands taken one by one: \(MicroFormat.time(medians[medians.count / 2])); "
        text += "slowest: \(slowest.name) at \(MicroFormat.time(slowest.median)).\n"
        return text
    }

    var summaryRows: [(String, String)] {
        [
            ("Parse one command (mean over the \(each.count)-command mix)", MicroFormat.headline(mix)),
            ("Parse, slowest command of the mix (\(slowest.name))", MicroFormat.headline(slowest)),
        ]
    }
}

// MARK: - Request verification and decoding

/// Slack signature and Mattermost token checks, form decoding, and the whole inbound path up to
/// the parsed command (what happens before the store is touched).
struct RequestCases {
    let fixtures: MicroFixtures

    func run(_ timer: MicroTimer) throws -> RequestFigures {
        guard let secret = fixtures.configuration.slackSigningSecret, let token = fixtures.configuration.mattermostToken else {
            throw BenchmarkError("vigil.example.yaml configures no Slack secret or Mattermost token")
        }
        let slack = SlackSignature(signingSecret: secret)
        let mattermost = MattermostToken(token: token)
        let parser = CommandParser(specs: fixtures.specs, policy: fixtures.policy)
        let now = Date(timeIntervalSince1970: 1_531_420_618 + 60)
        let timestamp = MicroFixtures.slackTimestamp

        let official = fixtures.form("slack-official-vector.form")
        var tampered = official
        tampered[tampered.count - 1] ^= 1
        let mention = fixtures.form("slack-slash-command-mention.form")
        let mentionSignature = slack.sign(timestamp: timestamp, body: mention)
        // The mention body with a command that parses, for the whole path.
        var assignForm = try FormBody(decoding: mention)
        assignForm.fields = assignForm.fields.map { $0.0 == "text" ? ("text", "assign INC-42 <@U0BEN|ben>") : $0 }
        let assign = Array(assignForm.encoded().utf8)
        let assignSignature = slack.sign(timestamp: timestamp, body: assign)
        let mattermostForm = fixtures.form("mattermost-slash-command.form")
        let authorization = "Token " + token

        // The checks must accept and refuse as intended.
        try slack.verify(timestamp: timestamp, signature: MicroFixtures.slackSignature, body: official, now: now)
        try slack.verify(timestamp: timestamp, signature: mentionSignature, body: mention, now: now)
        try mattermost.verify(authorization: authorization, formToken: nil)
        guard (try? slack.verify(timestamp: timestamp, signature: MicroFixtures.slackSignature, body: tampered, now: now)) == nil,
            (try? mattermost.verify(authorization: "Token qzgakf1nx3yt9dr4n8585ihbxz", formToken: nil)) == nil
        else { throw BenchmarkError("a tampered body or a wrong token was accepted") }
        guard try parser.parse(SlashCommandDecoder.decode(FormBody(decoding: assign), platform: "slack").text).subcommand == .assign,
            try parser.parse(SlashCommandDecoder.decode(FormBody(decoding: mattermostForm), platform: "mattermost").text).subcommand
                == .open
        else { throw BenchmarkError("the inbound bodies do not parse to assign and open") }

        var results: [MicroResult] = []
        func time(_ name: String, bytes: Int? = nil, _ body: () -> Void) {
            results.append(timer.time(name, section: "requests", bytes: bytes, body))
        }
        time("Slack signature, official vector (§8.1): accepted", bytes: official.count) {
            attempt { try slack.verify(timestamp: timestamp, signature: MicroFixtures.slackSignature, body: official, now: now) }
        }
        time("Slack signature, slash command with a mention: accepted", bytes: mention.count) {
            attempt { try slack.verify(timestamp: timestamp, signature: mentionSignature, body: mention, now: now) }
        }
        time("Slack signature, official vector with one byte flipped: refused", bytes: tampered.count) {
            attempt { try slack.verify(timestamp: timestamp, signature: MicroFixtures.slackSignature, body: tampered, now: now) }
        }
        let digest: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        time("For comparison: hex of a 32-byte digest with `String(format: \"%02x\")`, as `sign` does") {
            blackhole("v0=" + digest.map { String(format: "%02x", $0) }.joined())
        }
        time("For comparison: hex of a 32-byte digest from a lookup table") {
            blackhole(hexTable(digest))
        }
        time("Mattermost token, `Authorization: Token …` header: accepted") {
            attempt { try mattermost.verify(authorization: authorization, formToken: nil) }
        }
        time("Mattermost token, wrong token: refused") {
            attempt { try mattermost.verify(authorization: "Token qzgakf1nx3yt9dr4n8585ihbxz", formToken: nil) }
        }
        time("Form body → `Invocation`, Slack (mention fixture)", bytes: mention.count) {
            attempt { blackhole(try SlashCommandDecoder.decode(FormBody(decoding: mention), platform: "slack")) }
        }
        time("Form body → `Invocation`, Mattermost (docs example)", bytes: mattermostForm.count) {
            attempt { blackhole(try SlashCommandDecoder.decode(FormBody(decoding: mattermostForm), platform: "mattermost")) }
        }
        let slackPath = timer.time(
            "Whole Slack inbound path: signature + form + `Invocation` + parse (`assign INC-42 <@U0BEN|ben>`)",
            section: "requests", bytes: assign.count
        ) {
            attempt {
                try slack.verify(timestamp: timestamp, signature: assignSignature, body: assign, now: now)
                let invocation = try SlashCommandDecoder.decode(FormBody(decoding: assign), platform: "slack")
                blackhole(try parser.parse(invocation.text))
            }
        }
        let mattermostPath = timer.time(
            "Whole Mattermost inbound path: token + form + `Invocation` + parse (`open sev1 fraud Card testing spike`)",
            section: "requests", bytes: mattermostForm.count
        ) {
            attempt {
                try mattermost.verify(authorization: authorization, formToken: nil)
                let invocation = try SlashCommandDecoder.decode(FormBody(decoding: mattermostForm), platform: "mattermost")
                blackhole(try parser.parse(invocation.text))
            }
        }
        return RequestFigures(each: results, slackPath: slackPath, mattermostPath: mattermostPath)
    }
}

/// Runs `body`, sending a refusal to the blackhole: refusals are timed like acceptances.
@inline(__always)
func attempt(_ body: () throws -> Void) {
    do { try body() } catch { blackhole(error) }
}

/// Lower-case hex through a table: what `sign` could do instead of `String(format:)`.
private func hexTable(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var output: [UInt8] = Array("v0=".utf8)
    output.reserveCapacity(3 + bytes.count * 2)
    for byte in bytes {
        output.append(digits[Int(byte >> 4)])
        output.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: output, as: UTF8.self)
}

struct RequestFigures {
    var each: [MicroResult]
    var slackPath: MicroResult
    var mattermostPath: MicroResult

    var markdown: String {
        var text = "### Request verification and decoding (`VigilChat`)\n\n" + MicroFormat.header + "\n"
        for result in each + [slackPath, mattermostPath] { text += MicroFormat.row(result) + "\n" }
        return text
    }

    var summaryRows: [(String, String)] {
        [
            ("Slack signature check (HMAC-SHA256, official vector)", MicroFormat.headline(each[0])),
            ("Mattermost token check", MicroFormat.headline(each[5])),
            ("Slack inbound path before the store: signature + form + parse", MicroFormat.headline(slackPath)),
        ]
    }
}
