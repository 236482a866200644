import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilChat
import VigilConfig
import VigilCore
import VigilJSON
import VigilServer
import VigilTestSupport

/// `POST /teams/messages` over real HTTP on loopback: the HMAC and the activity's timestamp,
/// a command after the webhook's mention, a repeated activity, and replies that everyone in the
/// thread sees.
@Suite struct TeamsEndpointTests {
    static let token = Array(Data(base64Encoded: "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=")!)
    static let ava = Identity(platform: "teams", id: "29:1ava0Kp3XyZ")
    static let start = Date(timeIntervalSince1970: 1_795_902_000)

    static func vigil() throws -> TestVigil {
        var policy = Fixtures.policy
        // Ava is cleared for restricted incidents: even so, a reply in a Teams thread is public.
        policy.roles = RoleAssignments([.restricted: [ava]])
        return try TestVigil(policy: policy, start: start, chatPlatforms: [.teams(securityToken: token)])
    }

    static func activity(_ text: String, id: String = UUID().uuidString, at time: Date = start) -> String {
        let json: JSONValue = [
            "type": "message", "id": .string(id), "timestamp": .string(ISO8601DateFormatter().string(from: time)),
            "from": ["id": .string(ava.id), "name": "Ava Lindqvist"], "conversation": ["id": "19:abc@thread.skype"],
            "channelData": ["teamsChannelId": "19:abc@thread.skype"], "text": .string(text),
            "entities": [["type": "mention", "text": "<at>Vigil</at>", "mentioned": ["id": "28:vigil", "name": "Vigil"]]],
        ]
        return json.serializedString()
    }

    static func post(_ body: String, authorization: String? = nil, client: any TestClientProtocol) async throws -> TestResponse {
        try await client.execute(
            uri: "/teams/messages", method: .post,
            headers: [
                .contentType: "application/json",
                .authorization: authorization ?? TeamsSignature(securityToken: token).sign(body: Array(body.utf8)),
            ], body: ByteBuffer(string: body))
    }

    /// The card's text, every TextBlock joined.
    static func cardText(_ response: TestResponse) throws -> String {
        let json = try JSONValue.parse(String(buffer: response.body))
        let body = json["attachments"]?.arrayValue?.first?["content"]?["body"]?.arrayValue ?? []
        return body.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }

    @Test func aMentionedCommandOpensAnIncidentAndARepeatedActivityChangesNothing() async throws {
        let vigil = try Self.vigil()
        defer { vigil.cleanUp() }
        let body = Self.activity("<at>Vigil</at>&nbsp;open sev2 fraud Refund abuse ring", id: "1485983408511")
        try await vigil.withLiveClient { client in
            // MUT
            let first = try await Self.post(body, client: client)
            let again = try await Self.post(body, client: client)

            // validate
            #expect(first.status == .ok)
            #expect(first.headers[.contentType] == "application/json")
            let json = try JSONValue.parse(String(buffer: first.body))
            #expect(json["attachments"]?.arrayValue?.first?["content"]?["version"] == .string(TeamsRenderer.cardVersion))
            #expect(try Self.cardText(first).contains("INC-1"))
            #expect(String(buffer: again.body) == String(buffer: first.body))
        }
        let incident = try #require(try await vigil.store.incident(1))
        #expect(incident.reporter.identity == Self.ava)
        #expect(try await vigil.store.incident(2) == nil)
    }

    @Test func aRestrictedTitleStaysOutOfTheThreadEvenForACleared() async throws {
        let vigil = try Self.vigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            let opened = try await Self.post(Self.activity("<at>Vigil</at> open sev1 csam Upload by creator-handle-881"), client: client)
            let status = try await Self.post(Self.activity("<at>Vigil</at> status INC-1"), client: client)
            for response in [opened, status] {
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains("creator-handle-881"))
            }
            #expect(try Self.cardText(status).contains("INC-1"))
        }
        #expect(try await vigil.store.incident(1)?.title == "Upload by creator-handle-881")
    }

    @Test func badSignaturesAndStaleActivitiesAre401AndWriteNothing() async throws {
        let vigil = try Self.vigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            let body = Self.activity("<at>Vigil</at> open sev2 fraud Forged")
            let refused = [
                try await Self.post(body, authorization: "HMAC 60nfriL1/PUPOvod80G7gWgkAInMZ14cACJRDKcM4ks=", client: client),
                try await Self.post(body, authorization: "Bearer x", client: client),
                try await client.execute(uri: "/teams/messages", method: .post, headers: [:], body: ByteBuffer(string: body)),
                try await Self.post(
                    Self.activity("<at>Vigil</at> open sev2 fraud Late", at: Self.start.addingTimeInterval(-301)), client: client),
            ]
            #expect(refused.map(\.status) == [.unauthorized, .unauthorized, .unauthorized, .unauthorized])
        }
        #expect(try await vigil.store.incident(1) == nil)
    }
}
