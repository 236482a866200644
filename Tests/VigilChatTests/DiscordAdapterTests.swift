import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON
import VigilTestSupport

/// Discord's adapter over recorded payloads: the PING vector and its refused variants, and an
/// `/incident` interaction rebuilt as the text a user would type.
@Suite struct DiscordAdapterTests {
    /// RFC 8032 TEST 1: its public key is the one protocols.md's PING vector was signed with.
    static let seed = Digits.bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!
    static let applicationID = "123456789012345678"
    static let signedAt = Date(timeIntervalSince1970: 1_700_000_000)

    let adapter: DiscordAdapter
    let signer: DiscordRequestSigner

    init() throws {
        signer = try DiscordRequestSigner(seed: Self.seed)
        adapter = try DiscordAdapter(
            publicKey: signer.publicKey, applicationID: Self.applicationID, specs: try Fixtures.shippedSpecs(),
            apiBase: "https://discord.example/api/v10")
    }

    func signed(_ body: [UInt8], timestamp: String = "1700000000") -> ChatRequest {
        chatRequest(
            body, path: "/discord/interactions",
            headers: [
                "X-Signature-Timestamp": timestamp, "X-Signature-Ed25519": signer.signature(timestamp: timestamp, body: body),
            ])
    }

    @Test func theSignerIsRFC8032Test1() {
        #expect(Digits.hex(signer.publicKey) == DiscordSignatureTests.pingKey)
    }

    @Test func answersTheRecordedPingWithTypeOne() throws {
        // setup
        let body = try FixtureLoader.bytes("discord-ping.json")
        let request = chatRequest(
            body, path: "/discord/interactions",
            headers: [
                "x-signature-timestamp": DiscordSignatureTests.pingTimestamp, "X-Signature-Ed25519": DiscordSignatureTests.pingSignature,
            ])

        // MUT
        try adapter.verify(request, now: Self.signedAt.addingTimeInterval(60))
        let content = try adapter.decode(request)

        // validate
        #expect(content == .handshake(HandshakeReply(contentType: "application/json", body: Array(#"{"type":1}"#.utf8))))
    }

    struct Variant: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var headers: [String: String]
        var body: [UInt8]
        var now: Date
    }

    static var pingVariants: [Variant] {
        let body = Array(#"{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}"#.utf8)
        let good = ["X-Signature-Timestamp": "1700000000", "X-Signature-Ed25519": DiscordSignatureTests.pingSignature]
        var tampered = body
        tampered[tampered.count - 2] = UInt8(ascii: "2")
        func with(_ name: String, _ value: String?) -> [String: String] {
            var headers = good
            headers[name] = value
            return headers
        }
        let at = signedAt.addingTimeInterval(60)
        return [
            Variant(testDescription: "another timestamp", headers: with("X-Signature-Timestamp", "1700000001"), body: body, now: at),
            Variant(testDescription: "a changed byte", headers: good, body: tampered, now: at),
            Variant(testDescription: "stale (301 s)", headers: good, body: body, now: signedAt.addingTimeInterval(301)),
            Variant(testDescription: "from the future (301 s)", headers: good, body: body, now: signedAt.addingTimeInterval(-301)),
            Variant(testDescription: "no timestamp", headers: with("X-Signature-Timestamp", nil), body: body, now: at),
            Variant(testDescription: "no signature", headers: with("X-Signature-Ed25519", nil), body: body, now: at),
            Variant(
                testDescription: "signature not hex", headers: with("X-Signature-Ed25519", String(repeating: "zz", count: 64)), body: body,
                now: at),
            Variant(
                testDescription: "signature 127 digits",
                headers: with("X-Signature-Ed25519", String(DiscordSignatureTests.pingSignature.dropLast())),
                body: body, now: at),
            Variant(
                testDescription: "signature 130 digits", headers: with("X-Signature-Ed25519", DiscordSignatureTests.pingSignature + "00"),
                body: body, now: at),
            Variant(testDescription: "an empty body", headers: good, body: [], now: at),
        ]
    }

    @Test("refuses a PING that is not exactly as signed", arguments: pingVariants)
    func refusesVariants(variant: Variant) {
        let request = chatRequest(variant.body, path: "/discord/interactions", headers: variant.headers)
        let error = #expect(throws: ChatRequestError.self) { try adapter.verify(request, now: variant.now) }
        #expect(error?.kind == .unauthorized)
    }

    @Test func decodesTheRecordedOpenAsTypedText() throws {
        // setup
        let request = signed(try FixtureLoader.bytes("discord-command-open.json"))

        // MUT
        try adapter.verify(request, now: Self.signedAt)
        let content = try adapter.decode(request)

        // validate
        let expected = Invocation(
            platform: "discord", user: UserRef(id: "80351110224678912", name: "Ava", platform: "discord"), channelName: "ts-incidents",
            channelID: "1147286148969382021", command: "/incident",
            text: "open --ref=ZD-88213 --ref=ZD-88214 sev1 fraud Card testing spike on checkout",
            responseURL:
                "https://discord.example/api/v10/webhooks/123456789012345678/aW50ZXJhY3Rpb246MTMxMTA1Mjg3NzE2NzIxODc5MDpUZXN0VG9rZW4/messages/@original",
            requestID: "1311052877167218790")
        #expect(content == .command(expected))
    }

    /// An interaction for `sub` with `options`, as Discord sends one.
    static func interaction(
        _ sub: String, _ options: [JSONValue], resolvedUsers: JSONValue = .object([]), id: String = "1311052877167218790"
    )
        -> [UInt8]
    {
        let json: JSONValue = [
            "id": .string(id), "type": 2, "token": "tok", "channel_id": "42",
            "member": ["user": ["id": "80351110224678912", "username": "ava.ts"]],
            "data": [
                "name": "incident", "type": 1,
                "options": [["name": .string(sub), "type": 1, "options": .array(options)]],
                "resolved": ["users": resolvedUsers],
            ],
        ]
        return json.serialized()
    }

    static func option(_ name: String, _ value: JSONValue, type: Int64 = 3) -> JSONValue {
        ["name": .string(name), "type": .int(type), "value": value]
    }

    func text(of body: [UInt8]) throws -> String? {
        guard case let .command(invocation) = try adapter.decode(signed(body)) else { return nil }
        return invocation.text
    }

    @Test func rebuildsEachKindOfOption() throws {
        #expect(try text(of: Self.interaction("ack", [Self.option("id", "INC-42")])) == "ack INC-42")
        #expect(
            try text(
                of: Self.interaction(
                    "assign", [Self.option("user", "80351110224678999", type: 6), Self.option("id", "7")],
                    resolvedUsers: ["80351110224678999": ["id": "80351110224678999", "username": "ben"]]))
                == "assign 7 <@80351110224678999|ben>")
        #expect(
            try text(of: Self.interaction("report", [Self.option("share", true, type: 5), Self.option("period", "7d")]))
                == "report --share 7d")
        #expect(try text(of: Self.interaction("report", [Self.option("share", false, type: 5)])) == "report")
        #expect(
            try text(
                of: Self.interaction(
                    "open",
                    [
                        Self.option("severity", "sev1"), Self.option("category", "csam"), Self.option("title", "Reported upload"),
                        Self.option("known", "2026-11-22 09:30 Europe/Paris"),
                    ])) == #"open --known="2026-11-22 09:30 Europe/Paris" sev1 csam Reported upload"#)
        // A value that would read as an option is quoted, so it stays a value.
        #expect(try text(of: Self.interaction("oncall", [Self.option("schedule", "--share")])) == #"oncall "--share""#)
    }

    @Test func theRebuiltTextParsesAsTheTypedCommand() throws {
        // setup
        let parser = try Fixtures.parser()
        let rebuilt = try #require(
            try text(
                of: Self.interaction(
                    "open",
                    [
                        Self.option("category", "fraud"), Self.option("severity", "sev2"),
                        Self.option("title", #"Coordinated "raid" on a creator"#),
                        Self.option("ref", "ZD-1"),
                    ])))

        // MUT
        let fromDiscord = try parser.parse(rebuilt)
        let typed = try parser.parse(#"open sev2 fraud Coordinated "raid" on a creator --ref ZD-1"#)

        // validate
        #expect(fromDiscord == typed)
    }

    @Test func refusesAValueWithADoubleQuoteWithTheUsage() throws {
        // MUT
        let content = try adapter.decode(signed(Self.interaction("oncall", [Self.option("schedule", #"night"shift"#)])))

        // validate
        guard case let .refused(reply) = content else {
            Issue.record("expected a refusal, got \(content)")
            return
        }
        #expect(reply.visibility == .ephemeral)
        #expect(reply.message.plainText.contains("`schedule` cannot contain a double quote."))
        #expect(reply.message.plainText.contains("Usage: /incident oncall"))
    }

    @Test func refusesWhatIsNotAnInteractionVigilRegisters() {
        let bodies: [[UInt8]] = [
            Array("not json".utf8), Array(#"{"id":"1"}"#.utf8), Array(#"{"type":4,"id":"1","token":"t"}"#.utf8),
            Array(#"{"type":2,"id":"1","token":"t","user":{"id":"9"},"data":{"name":"other"}}"#.utf8),
            Array(#"{"type":2,"id":"1","token":"t","data":{"name":"incident"}}"#.utf8),
        ]
        for body in bodies {
            let error = #expect(throws: ChatRequestError.self) { try adapter.decode(signed(body)) }
            #expect(error?.kind == .malformed)
        }
    }

    @Test func aDirectMessageUserAndAMissingSubcommandAreHandled() throws {
        let dm = Array(
            #"{"type":2,"id":"5","token":"t","channel_id":"9","user":{"id":"80351110224678912","username":"ava.ts"},"data":{"name":"incident","options":[]}}"#
                .utf8)
        guard case let .refused(reply) = try adapter.decode(signed(dm)) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reply.message.plainText.contains("Choose a sub-command"))
    }
}
