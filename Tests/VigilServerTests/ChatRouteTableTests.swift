import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilConfig
import VigilCore
import VigilServer
import VigilTestSupport

/// The one route table every chat adapter is served through: the same refusals at every
/// configured platform's endpoint, and no endpoint for a platform that is not configured.
@Suite struct ChatRouteTableTests {
    /// A configured platform's command endpoint, and the headers that make a request to it authentic.
    enum Endpoint: String, CaseIterable, Sendable {
        case slack = "/slack/commands"
        case mattermost = "/mattermost/commands"

        func authenticHeaders(for body: [UInt8], in vigil: TestVigil) -> HTTPFields {
            switch self {
            case .slack: vigil.slackHeaders(for: body)
            case .mattermost:
                [.contentType: "application/x-www-form-urlencoded", .authorization: "Token \(TestVigil.mattermostToken)"]
            }
        }
    }

    @Test(arguments: Endpoint.allCases)
    func anUnprovenRequestIs401AndWritesNothing(endpoint: Endpoint) async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let response = try await client.execute(
                uri: endpoint.rawValue, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(bytes: TestVigil.slackForm("open sev1 fraud Forged")))
            #expect(response.status == .unauthorized)
        }
        #expect(try await vigil.store.incidents(matching: IncidentFilter()).isEmpty)
    }

    @Test(arguments: Endpoint.allCases)
    func anAuthenticBodyThatIsNotACommandIs400(endpoint: Endpoint) async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let body = Array("text=%ZZ&user_id=U1".utf8)
            let response = try await client.execute(
                uri: endpoint.rawValue, method: .post, headers: endpoint.authenticHeaders(for: body, in: vigil),
                body: ByteBuffer(bytes: body))
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body) == "invalid percent-encoding in form body\n")
        }
    }

    @Test(arguments: Endpoint.allCases)
    func aBodyOver64KiBIs413(endpoint: Endpoint) async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let body = TestVigil.slackForm("note 1 " + String(repeating: "x", count: 70_000))
            let response = try await client.execute(
                uri: endpoint.rawValue, method: .post, headers: endpoint.authenticHeaders(for: body, in: vigil),
                body: ByteBuffer(bytes: body))
            #expect(response.status == .contentTooLarge)
        }
    }

    @Test func aPlatformNotConfiguredHasNoEndpoint() async throws {
        // setup
        let vigil = try TestVigil(chatPlatforms: [.slack(signingSecret: TestVigil.slackSecret)])
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let body = TestVigil.slackForm("help")

            // MUT
            let mattermost = try await client.execute(
                uri: Endpoint.mattermost.rawValue, method: .post,
                headers: Endpoint.mattermost.authenticHeaders(for: body, in: vigil), body: ByteBuffer(bytes: body))
            let (slackStatus, _) = try await vigil.slack("help", client: client)

            // validate
            #expect(mattermost.status == .notFound)
            #expect(slackStatus == .ok)
        }
    }
}
