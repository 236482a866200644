import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VigilConfig
import VigilCore
import VigilHTTP
import VigilServer
import VigilTestSupport

/// Sign-in to the dashboard through an OpenID Connect provider (a fake one on loopback): the
/// whole authorization code flow with PKCE, the person found by the email the provider vouches
/// for, and the refusal of every answer that is not this browser's, or whose ID token is wrong.
@Suite struct DashboardOIDCTests {
    /// Ava and Dee with their emails; Dee is cleared for restricted incidents.
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.people = PeopleDirectory([
            Person(name: "ava", accounts: [Identity(platform: "slack", id: "U0AVA")], contacts: Contacts(email: "ava@example.com")),
            Person(name: "dee", accounts: [Identity(platform: "slack", id: "U0DEE")], contacts: Contacts(email: "Dee@Example.com")),
        ])
        return policy
    }()

    /// A Vigil whose dashboard signs in through `provider`, an open restricted incident, then `body`.
    static func withProvider(
        _ body: @Sendable (TestVigil, FakeOIDCProvider, any TestClientProtocol) async throws -> Void
    ) async throws {
        let clock = ManualWallClock(Fixtures.t0)
        let provider = try await FakeOIDCProvider.start(now: { clock.now })
        var settings = DashboardSettings()
        settings.oidc = OIDCSettings(
            issuer: provider.issuer, clientID: FakeOIDCProvider.clientID, clientSecret: FakeOIDCProvider.clientSecret)
        let vigil = try TestVigil(
            transport: CurlHTTPClient(), policy: policy, publicURL: DashboardEndToEndTests.publicURL, dashboard: settings)
        defer { vigil.cleanUp() }
        do {
            try await vigil.withClient { client in
                _ = try await vigil.slack("open sev2 csam \(DashboardEndToEndTests.restrictedTitle)", as: Fixtures.dee, client: client)
                try await body(vigil, provider, client)
            }
        } catch {
            await provider.stop()
            throw error
        }
        await provider.stop()
    }

    /// Starts a sign-in and goes through the provider as a browser would: the callback's path
    /// and query, and the state cookie (`vigil_oidc=…`).
    static func throughProvider(_ client: any TestClientProtocol) async throws -> (callback: String, cookie: String) {
        let start = try await client.execute(uri: "/dashboard/oidc/start", method: .get)
        #expect(start.status == .seeOther)
        let authorize = try #require(start.headers[.location])
        let setCookie = try #require(start.headers[.setCookie])
        #expect(setCookie.hasPrefix("vigil_oidc=") && setCookie.contains("HttpOnly") && setCookie.contains("Path=/dashboard/oidc"))
        let query = FakeOIDCProvider.form(String(authorize.drop { $0 != "?" }.dropFirst()))
        #expect(query["redirect_uri"] == DashboardEndToEndTests.publicURL + "/dashboard/oidc/callback")
        #expect(query["code_challenge_method"] == "S256" && query["scope"] == "openid email")
        let answer = try await CurlHTTPClient().send(.get(authorize))
        #expect(answer.status == 302)
        let callback = try #require(answer.header("Location"))
        let path = try #require(callback.range(of: "/dashboard/oidc/callback")).lowerBound
        return (String(callback[path...]), String(setCookie.prefix { $0 != ";" }))
    }

    static func cookies(_ response: TestResponse) -> [String] {
        response.headers[values: .setCookie]
    }

    @Test("the provider's answer becomes a session for the person with that email, cleared as config says")
    func signsInThroughTheProvider() async throws {
        try await Self.withProvider { _, provider, client in
            // The sign-in page offers the provider.
            let page = try await client.execute(uri: "/dashboard", method: .get)
            #expect(page.status == .unauthorized && String(buffer: page.body).contains("href=\"/dashboard/oidc/start\""))

            // MUT: Dee signs in (her email differs in case from config's)
            provider.signIn(as: "dee@example.com")
            let (callback, state) = try await Self.throughProvider(client)
            let finished = try await client.execute(uri: callback, method: .get, headers: [.cookie: state])

            // validate
            #expect(finished.status == .seeOther && finished.headers[.location] == "/dashboard")
            let cookies = Self.cookies(finished)
            let session = try #require(cookies.first { $0.hasPrefix("vigil_dashboard=") })
            #expect(cookies.contains { $0.hasPrefix("vigil_oidc=;") && $0.contains("Max-Age=0") }, "the state is used up")
            let (status, html, _) = try await DashboardEndToEndTests.get(
                "/dashboard", cookie: String(session.prefix { $0 != ";" }), client: client)
            #expect(status == .ok)
            #expect(html.contains("Signed in as <b>@dee</b>") && html.contains("cleared for restricted incidents"))
            #expect(html.contains(DashboardEndToEndTests.restrictedTitle))
            #expect(provider.redeemed == 1)
            // The same answer again (a replay) no longer has its code.
            let replay = try await client.execute(uri: callback, method: .get, headers: [.cookie: state])
            #expect(replay.status == .badGateway && Self.cookies(replay).allSatisfy { !$0.hasPrefix("vigil_dashboard=") })
        }
    }

    @Test("an ID token that is wrong in any way is refused, and no session is set", arguments: FakeOIDCProvider.Tamper.allCases.dropFirst())
    func refusesABadIDToken(tamper: FakeOIDCProvider.Tamper) async throws {
        try await Self.withProvider { _, provider, client in
            provider.tamper(tamper)
            let (callback, state) = try await Self.throughProvider(client)
            // MUT
            let finished = try await client.execute(uri: callback, method: .get, headers: [.cookie: state])
            // validate
            #expect(finished.status == .unauthorized, "\(tamper)")
            #expect(String(buffer: finished.body).contains("was refused"), "\(tamper): \(String(buffer: finished.body))")
            #expect(Self.cookies(finished).allSatisfy { !$0.hasPrefix("vigil_dashboard=") })
        }
    }

    @Test("an answer without this browser's state cookie, or with another state, or a refusal, signs nobody in")
    func refusesAnswersThatAreNotThisBrowsers() async throws {
        try await Self.withProvider { _, provider, client in
            let (callback, state) = try await Self.throughProvider(client)
            let (_, otherState) = try await Self.throughProvider(client)
            // MUT: another browser (no cookie), and this answer with another sign-in's cookie
            for cookie in [nil, otherState] {
                var headers = HTTPFields()
                if let cookie { headers[.cookie] = cookie }
                let finished = try await client.execute(uri: callback, method: .get, headers: headers)
                #expect(finished.status == .unauthorized)
                #expect(Self.cookies(finished).allSatisfy { !$0.hasPrefix("vigil_dashboard=") })
            }
            #expect(provider.redeemed == 0, "no code is redeemed for a browser that did not ask")
            // The real browser still gets in once.
            let finished = try await client.execute(uri: callback, method: .get, headers: [.cookie: state])
            #expect(finished.status == .seeOther)

            // MUT: the person refuses at the provider
            provider.deny()
            let (denied, deniedState) = try await Self.throughProvider(client)
            let refused = try await client.execute(uri: denied, method: .get, headers: [.cookie: deniedState])
            #expect(refused.status == .unauthorized && String(buffer: refused.body).contains("access_denied"))
        }
    }

    @Test("an email no one in people: has, or one the provider has not verified, gets a 403 and no session")
    func refusesStrangers() async throws {
        try await Self.withProvider { _, provider, client in
            for (email, verified) in [("mallory@example.com", true), ("ava@example.com", false)] {
                provider.signIn(as: email, verified: verified)
                let (callback, state) = try await Self.throughProvider(client)
                // MUT
                let finished = try await client.execute(uri: callback, method: .get, headers: [.cookie: state])
                // validate
                #expect(finished.status == .forbidden, "\(email)")
                #expect(String(buffer: finished.body).contains("people:"))
                #expect(Self.cookies(finished).allSatisfy { !$0.hasPrefix("vigil_dashboard=") })
            }
        }
    }
}
