import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilChat
import VigilConfig
import VigilCore
import VigilHTTP
import VigilJSON
import VigilServer
import VigilStore
import VigilTestSupport

/// `POST /discord/interactions` over real HTTP on loopback: the PING vector, refusals, commands,
/// deduplication on the interaction id, and a reply that misses Discord's deadline.
@Suite struct DiscordEndpointTests {
    static let seed = Digits.bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!
    static let applicationID = "123456789012345678"
    static let signer = try! DiscordRequestSigner(seed: seed)
    static let pingBody = #"{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}"#
    static let pingSignature =
        "f0bd878adcef1f6d475c9644421905bd02b5de38e0d3ecfc6f58a711962c69ccc8dd7c9db312f9bdf08b1e1b8182e27a844da728c5e0dbb5507bf9931c1ed80b"

    static func vigil(
        apiURL: String? = nil, transport: any HTTPTransport = UnusedTransport(), storeHooks: StoreHooks = StoreHooks(),
        defers: Bool = false
    ) throws -> TestVigil {
        try TestVigil(
            transport: transport, start: Date(timeIntervalSince1970: 1_700_000_000), storeHooks: storeHooks,
            chatPlatforms: [.discord(publicKey: signer.publicKey, applicationID: applicationID, apiURL: apiURL)], defersSlowReplies: defers)
    }

    static func interaction(id: String, text sub: String, _ options: [(String, String)], token: String = "tok-1") -> String {
        let opts: [JSONValue] = options.map { ["name": .string($0.0), "type": 3, "value": .string($0.1)] }
        let json: JSONValue = [
            "id": .string(id), "type": 2, "token": .string(token), "application_id": .string(applicationID), "channel_id": "42",
            "channel": ["id": "42", "name": "ts-incidents"],
            "member": ["user": ["id": "80351110224678912", "username": "ava.ts", "global_name": "Ava"]],
            "data": ["name": "incident", "type": 1, "options": [["name": .string(sub), "type": 1, "options": .array(opts)]]],
        ]
        return json.serializedString()
    }

    static func post(_ body: String, signature: String? = nil, timestamp: String = "1700000000", client: any TestClientProtocol)
        async throws -> TestResponse
    {
        try await client.execute(
            uri: "/discord/interactions", method: .post,
            headers: [
                .contentType: "application/json", HTTPField.Name("X-Signature-Timestamp")!: timestamp,
                HTTPField.Name("X-Signature-Ed25519")!: signature ?? signer.signature(timestamp: timestamp, body: Array(body.utf8)),
            ], body: ByteBuffer(string: body))
    }

    @Test func thePingVectorIsAnsweredTypeOneAndEveryVariantIs401() async throws {
        let vigil = try Self.vigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            // MUT + validate: the vector as protocols.md gives it
            let ping = try await Self.post(Self.pingBody, signature: Self.pingSignature, client: client)
            #expect(ping.status == .ok)
            #expect(ping.headers[.contentType] == "application/json")
            #expect(String(buffer: ping.body) == #"{"type":1}"#)

            let refused = [
                try await Self.post(Self.pingBody, signature: Self.pingSignature, timestamp: "1700000001", client: client),
                try await Self.post(
                    Self.pingBody.replacingOccurrences(of: "\"version\":1", with: "\"version\":2"), signature: Self.pingSignature,
                    client: client),
                try await Self.post(Self.pingBody, signature: String(Self.pingSignature.dropLast(2)), client: client),
                try await client.execute(
                    uri: "/discord/interactions", method: HTTPRequest.Method.post, headers: [:], body: ByteBuffer(string: Self.pingBody)),
            ]
            #expect(refused.map(\.status) == [.unauthorized, .unauthorized, .unauthorized, .unauthorized])
        }
    }

    @Test func aStaleButValidSignatureIs401() async throws {
        let vigil = try Self.vigil()
        defer { vigil.cleanUp() }
        vigil.clock.advance(by: 301)
        try await vigil.withLiveClient { client in
            let response = try await Self.post(Self.pingBody, signature: Self.pingSignature, client: client)
            #expect(response.status == .unauthorized)
            #expect(String(buffer: response.body).contains("stale"))
        }
    }

    @Test func openRepliesInTheChannelAndARepeatedInteractionChangesNothing() async throws {
        let vigil = try Self.vigil()
        defer { vigil.cleanUp() }
        let body = Self.interaction(
            id: "1311052877167218790", text: "open", [("severity", "sev2"), ("category", "fraud"), ("title", "Refund *abuse* ring")])
        try await vigil.withLiveClient { client in
            // MUT
            let first = try await Self.post(body, client: client)
            let again = try await Self.post(body, client: client)

            // validate
            #expect(first.status == .ok)
            let json = try JSONValue.parse(String(buffer: first.body))
            #expect(json["type"]?.intValue == 4)
            #expect(json["data"]?["flags"] == nil)
            #expect(json["data"]?["content"]?.stringValue?.hasPrefix("**INC-1** opened · SEV2 · fraud — Refund \\*abuse\\* ring") == true)
            #expect(json["data"]?["allowed_mentions"]?["parse"] == [])
            #expect(String(buffer: again.body) == String(buffer: first.body))
        }
        let incident = try #require(try await vigil.store.incident(1))
        #expect(incident.platform == "discord")
        #expect(incident.reporter.identity == Identity(platform: "discord", id: "80351110224678912"))
        #expect(try await vigil.store.incident(2) == nil)
    }

    @Test func aRefusalIsSeenByThePersonWhoAskedAloneWithTheUsage() async throws {
        let vigil = try Self.vigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            let response = try await Self.post(
                Self.interaction(id: "9", text: "open", [("severity", "sev9"), ("category", "fraud"), ("title", "x")]), client: client)
            let json = try JSONValue.parse(String(buffer: response.body))
            #expect(json["type"]?.intValue == 4)
            #expect(json["data"]?["flags"]?.intValue == 64)
            #expect(json["data"]?["content"]?.stringValue?.contains("Usage:") == true)
        }
        #expect(try await vigil.store.incident(1) == nil)
    }

    @Test func aReplyPastTheDeadlineIsDeferredThenEditedIn() async throws {
        // setup: Discord's API faked on loopback; the store's commit held until the deferred
        // answer has arrived, so the deadline is certain to pass first (once opened, the gate
        // stays open for the writes after it: the edit's outbox row).
        let discord = try await LocalHTTPServer.start(responses: [.ok])
        let gate = DispatchSemaphore(value: 0)
        let vigil = try Self.vigil(
            apiURL: discord.url(path: "/api/v10"), transport: CurlHTTPClient(),
            storeHooks: StoreHooks(beforeCommit: { _ in
                gate.wait(); gate.signal()
            }), defers: true)
        defer { vigil.cleanUp() }
        let body = Self.interaction(
            id: "77", text: "open", [("severity", "sev1"), ("category", "fraud"), ("title", "Slow day")], token: "tok-77")

        // MUT
        let answer = try await vigil.withLiveClient { client in try await Self.post(body, client: client) }
        gate.signal()
        // The edit is an outbox row: the delivery service sends it.
        let delivery = Task { try await vigil.app.delivery.run() }
        let edits = try await discord.waitForRequests(count: 1)
        delivery.cancel()
        await discord.stop()

        // validate
        #expect(String(buffer: answer.body) == #"{"type":5,"data":{"flags":64}}"#)
        #expect(edits[0].method == "PATCH")
        #expect(edits[0].path == "/api/v10/webhooks/\(Self.applicationID)/tok-77/messages/@original")
        let edit = try JSONValue.parse(edits[0].body)
        #expect(edit["content"]?.stringValue?.hasPrefix("**INC-1** opened · SEV1 · fraud — Slow day") == true)
        #expect(try await vigil.store.incident(1) != nil)
    }
}
