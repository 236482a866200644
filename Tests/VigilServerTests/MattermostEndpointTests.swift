import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilChat
import VigilJSON
import VigilServer
import VigilTestSupport

@Suite struct MattermostEndpointTests {
    static func form(_ text: String, token: String? = nil) -> ByteBuffer {
        var fields: [(String, String)] = [
            ("channel_id", "fukxanjgjbnp7ng383at53k1sy"), ("channel_name", "town-square"), ("command", "/incident"),
            ("team_id", "wx4zz8t4ttgmtxqiwfohijayzc"), ("text", text), ("trigger_id", UUID().uuidString),
            ("user_id", "erj6qck3rfgtujs86w5r6rckzh"), ("user_name", "alan"),
        ]
        if let token { fields.append(("token", token)) }
        return ByteBuffer(string: FormBody(fields: fields).encoded())
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func theAuthorizationHeaderOpensAnIncidentWithAMarkdownReply() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            var headers = Self.formHeaders
            headers[.authorization] = "Token \(TestVigil.mattermostToken)"
            let response = try await client.execute(
                uri: "/mattermost/commands", method: .post, headers: headers, body: Self.form("open sev2 fraud Refund abuse ring"))
            #expect(response.status == .ok)
            let json = try JSONValue.parse(String(buffer: response.body))
            #expect(json["response_type"]?.stringValue == "in_channel")
            #expect(json["text"]?.stringValue?.hasPrefix("**INC-1** opened · SEV2 · fraud — Refund abuse ring · reporter @alan") == true)
        }
        #expect(try await vigil.store.incident(1)?.platform == "mattermost")
    }

    @Test func theTokenFieldIsAcceptedToo() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let response = try await client.execute(
                uri: "/mattermost/commands", method: .post, headers: Self.formHeaders,
                body: Self.form("help", token: TestVigil.mattermostToken))
            #expect(response.status == .ok)
        }
    }

    @Test func wrongOrMissingTokensAre401AndWriteNothing() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            var wrongHeader = Self.formHeaders
            wrongHeader[.authorization] = "Token not-the-token"
            for (headers, body) in [
                (wrongHeader, Self.form("open sev1 fraud Forged")),
                (Self.formHeaders, Self.form("open sev1 fraud Forged", token: "nope")),
                (Self.formHeaders, Self.form("open sev1 fraud Forged")),
            ] {
                let response = try await client.execute(uri: "/mattermost/commands", method: .post, headers: headers, body: body)
                #expect(response.status == .unauthorized)
            }
        }
        #expect(try await vigil.store.incidents(matching: .init()).isEmpty)
    }
}
