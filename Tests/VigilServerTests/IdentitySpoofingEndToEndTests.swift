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

/// Finding 3 of issue 10, end to end: a display name that looks like a cleared person's
/// (`user_name=dee`, `DEE`, `u0ava`) reads nothing and changes nothing of a restricted incident,
/// through the Slack and Mattermost endpoints.
@Suite struct IdentitySpoofingEndToEndTests {
    /// A Mattermost slash command from `userID`, calling themselves `userName`.
    static func mattermost(_ text: String, userID: String, userName: String) -> ByteBuffer {
        ByteBuffer(string: FormBody(fields: [
            ("channel_id", "fukxanjgjbnp7ng383at53k1sy"), ("channel_name", "town-square"), ("command", "/incident"),
            ("team_id", "wx4zz8t4ttgmtxqiwfohijayzc"), ("text", text), ("trigger_id", UUID().uuidString),
            ("user_id", userID), ("user_name", userName), ("token", TestVigil.mattermostToken),
        ]).encoded())
    }

    static func send(mattermost text: String, userID: String, userName: String, client: any TestClientProtocol) async throws -> VigilJSONReply {
        let response = try await client.execute(
            uri: "/mattermost/commands", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: mattermost(text, userID: userID, userName: userName))
        #expect(response.status == .ok)
        return VigilJSONReply(response.body)
    }

    /// What a spoofer tries: read everything, then change everything.
    static let attempts = [
        "status 1", "summary 1", "step 1", "note 1 hello", "sev 1 sev3", "playbook 1 harassment", "resolve 1 nothing here",
        "ack 1", "assign 1 @dee", "escalate 1",
    ]

    /// Checks every attempt is refused without a word of the incident, and nothing was written.
    static func expectNothingLeaks(_ vigil: TestVigil, reply: (String) async throws -> VigilJSONReply) async throws {
        let before = try await vigil.store.incident(1)
        for attempt in attempts {
            let answer = try await reply(attempt)
            #expect(answer.responseType == "ephemeral", "\(attempt)")
            #expect(answer.text.contains("that you may see"), "\(attempt): \(answer.text)")
            for secret in ["Secret upload", "NCMEC-7", "Preserve evidence"] { #expect(!answer.raw.contains(secret), "\(attempt)") }
        }
        let after = try await vigil.store.incident(1)
        #expect(after?.lastSequence == before?.lastSequence)
        #expect(after?.playbook == "csam")
        let list = try await reply("list all")
        #expect(!list.raw.contains("Secret upload"))
    }

    @Test("finding 3: user_name=dee and DEE are not Dee, on Mattermost and on Slack", arguments: ["dee", "DEE"])
    func displayNameDee(_ name: String) async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, opened) = try await vigil.slack("open sev1 child-safety Secret upload --ref NCMEC-7", as: Fixtures.dee, client: client)
            #expect(opened.text.contains("INC-1"))
            // Dee herself reads it.
            let (_, own) = try await vigil.slack("status 1", as: Fixtures.dee, client: client)
            #expect(own.text.contains("Secret upload") && own.text.contains("NCMEC-7"))
            try await Self.expectNothingLeaks(vigil) { text in
                try await Self.send(mattermost: text, userID: "erj6qck3rfgtujs86w5r6rckzh", userName: name, client: client)
            }
            try await Self.expectNothingLeaks(vigil) { text in
                try await vigil.slack(text, as: UserRef(id: "U0EVE", name: name), client: client).1
            }
        }
    }

    @Test("finding 3: u0ava is not the config entry <@U0AVA>", arguments: ["u0ava", "U0AVA"])
    func displayNameLooksLikeTheID(_ name: String) async throws {
        let policy = try VigilConfiguration.decode(
            yaml: "roles:\n  restricted: [\"<@U0AVA>\"]\n", file: "vigil.yaml", directory: "/tmp", environment: [:]).policy
        let vigil = try TestVigil(policy: policy)
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev1 child-safety Secret upload --ref NCMEC-7", as: Fixtures.ava, client: client)
            let (_, own) = try await vigil.slack("status 1", as: Fixtures.ava, client: client)
            #expect(own.text.contains("Secret upload"))
            try await Self.expectNothingLeaks(vigil) { text in
                try await Self.send(mattermost: text, userID: "erj6qck3rfgtujs86w5r6rckzh", userName: name, client: client)
            }
            try await Self.expectNothingLeaks(vigil) { text in
                try await vigil.slack(text, as: UserRef(id: "U0EVE", name: name), client: client).1
            }
        }
    }

    @Test("a restricted incident opened by an uncleared responder is accepted, and the reply holds only its tag")
    func unclearedOpener() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (status, reply) = try await vigil.slack("open sev1 child-safety Secret upload --ref NCMEC-7", as: Fixtures.ava, client: client)
            #expect(status == .ok)
            #expect(reply.text.contains("INC-1 opened · SEV1 · child-safety (restricted)"))
            #expect(!reply.raw.contains("Secret upload") && !reply.raw.contains("NCMEC-7") && !reply.raw.contains("Preserve evidence"))
        }
        #expect(try await vigil.store.incident(1)?.restricted == true)
    }
}
