import Foundation
import HummingbirdTesting
import Testing
import VigilConfig
import VigilCore
import VigilServer
import VigilTestSupport

/// `GET /act`, where a Teams post's buttons lead: the command to type, escaped, and nothing else.
@Suite struct CommandLinkPageTests {
    static func teamsVigil() throws -> TestVigil {
        try TestVigil(chatPlatforms: [.teams(securityToken: TeamsEndpointTests.token)])
    }

    @Test func aButtonsCommandIsShownToTypeAndNothingIsRead() async throws {
        // setup
        let vigil = try Self.teamsVigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            // MUT
            let response = try await client.execute(uri: "/act?command=ack%20INC-42", method: .get)
            // validate
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            let page = String(buffer: response.body)
            #expect(page.contains("<code>ack INC-42</code>"))
            #expect(!page.contains("<script"))
        }
    }

    @Test(arguments: [
        ("/act", "missing ?command="),
        ("/act?command=rm%20-rf", "not a Vigil command"),
        ("/act?command=ack%20INC-1%0Aopen", "not one line"),
        ("/act?command=ack%20" + String(repeating: "x", count: 250), "too long"),
    ])
    func anythingButACommandIsRefused(uri: String, reason: String) async throws {
        // setup
        let vigil = try Self.teamsVigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            // MUT
            let response = try await client.execute(uri: uri, method: .get)
            // validate
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains(reason))
        }
    }

    @Test func markupInTheCommandIsEscaped() async throws {
        // setup
        let vigil = try Self.teamsVigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            // MUT
            let response = try await client.execute(uri: "/act?command=note%20INC-1%20%3Cscript%3Ealert(1)%3C/script%3E", method: .get)
            // validate
            #expect(response.status == .ok)
            let page = String(buffer: response.body)
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.contains("<script>"))
        }
    }

    @Test func withoutTeamsThereIsNoPage() async throws {
        // setup
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            // MUT
            let response = try await client.execute(uri: "/act?command=ack%20INC-1", method: .get)
            // validate
            #expect(response.status == .notFound)
        }
    }
}
