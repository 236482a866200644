import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// `GET /dashboard` and its sign-in through `/incident dashboard`: the link, the session, their
/// expiry, the refusal of every request without a session, and redaction of restricted
/// incidents for people not cleared for them.
@Suite struct DashboardEndToEndTests {
    static let publicURL = "https://vigil.example.com"
    static let restrictedTitle = "Grooming report on creator handle"

    /// Two open incidents (a fraud case acknowledged by Ava and a restricted child-safety case),
    /// then `body` with the app and a client.
    static func withIncidents(
        _ body: @Sendable (TestVigil, any TestClientProtocol) async throws -> Void
    ) async throws {
        let vigil = try TestVigil(publicURL: publicURL)
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, fraud) = try await vigil.slack("open sev1 card-testing Card testing spike on checkout", client: client)
            #expect(fraud.text.contains("INC-1"), "\(fraud.text)")
            _ = try await vigil.slack("ack INC-1", client: client)
            let (_, restricted) = try await vigil.slack("open sev2 csam \(restrictedTitle)", as: Fixtures.dee, client: client)
            #expect(restricted.text.contains("INC-2"), "\(restricted.text)")
            try await body(vigil, client)
        }
    }

    /// The token of the sign-in link in `user`'s reply to `dashboard`.
    static func signInToken(_ vigil: TestVigil, as user: UserRef, client: any TestClientProtocol) async throws -> String {
        let (status, reply) = try await vigil.slack("dashboard", as: user, client: client)
        #expect(status == .ok)
        #expect(reply.responseType == "ephemeral", "a sign-in link goes to the person who asked, alone")
        let prefix = publicURL + "/dashboard/login?token="
        let range = try #require(reply.text.range(of: prefix), "\(reply.text)")
        return String(reply.text[range.upperBound...].prefix { !$0.isWhitespace && $0 != ">" && $0 != "|" })
    }

    /// Follows a sign-in link; the session cookie it sets (`name=value`).
    static func signIn(token: String, client: any TestClientProtocol) async throws -> String {
        let response = try await client.execute(uri: "/dashboard/login?token=\(token)", method: .get)
        #expect(response.status == .seeOther)
        #expect(response.headers[.location] == "/dashboard")
        let setCookie = try #require(response.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Secure"), "\(setCookie)")
        #expect(setCookie.contains("Path=/dashboard"))
        return String(setCookie.prefix { $0 != ";" })
    }

    static func get(_ uri: String, cookie: String?, client: any TestClientProtocol) async throws -> (
        HTTPResponse.Status, String, HTTPFields
    ) {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        return (response.status, String(buffer: response.body), response.headers)
    }

    @Test("a sign-in link from chat opens a session that shows the open incidents, their deadlines and the charts")
    func signInShowsTheDashboard() async throws {
        try await Self.withIncidents { vigil, client in
            // MUT
            let token = try await Self.signInToken(vigil, as: Fixtures.ava, client: client)
            let cookie = try await Self.signIn(token: token, client: client)
            let (status, page, headers) = try await Self.get("/dashboard", cookie: cookie, client: client)

            // validate
            #expect(status == .ok)
            #expect(headers[.contentType] == "text/html; charset=utf-8")
            #expect(headers[.cacheControl] == "no-store")
            let policy = try #require(headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'"), "only Vigil's own script")
            #expect(page.contains("Signed in as <b>@ava</b>"))
            #expect(page.contains("INC-1") && page.contains("Card testing spike on checkout"))
            #expect(page.contains("acknowledged") && page.contains("@ava"), "state and owner")
            #expect(page.contains("<meter"), "playbook progress")
            #expect(page.contains("data-due=\""), "a countdown the script can tick")
            #expect(page.contains("<svg class=\"chart"), "the charts are inline SVG")
            #expect(page.contains("MTTA") && page.contains("MTTR") && page.contains("Last 7 days") && page.contains("Last 30 days"))
            #expect(page.contains("<h2>Outbox</h2>"))
            let assets = page.components(separatedBy: " src=\"").dropFirst() + page.components(separatedBy: " href=\"").dropFirst()
            #expect(!assets.isEmpty && assets.allSatisfy { $0.hasPrefix("/dashboard/") }, "every asset is Vigil's own")
            // The assets come from Vigil, to a session.
            let (scriptStatus, script, scriptHeaders) = try await Self.get("/dashboard/dashboard.js", cookie: cookie, client: client)
            #expect(scriptStatus == .ok && script.contains("dataset.due"))
            #expect(scriptHeaders[.contentType] == "text/javascript; charset=utf-8")
            let (styleStatus, _, _) = try await Self.get("/dashboard/dashboard.css", cookie: cookie, client: client)
            #expect(styleStatus == .ok)
            // The refresh asks for <main> alone.
            let (partStatus, part, _) = try await Self.get("/dashboard?part=main", cookie: cookie, client: client)
            #expect(partStatus == .ok && part.hasPrefix("<main id=\"dashboard\"") && !part.contains("<html"))
        }
    }

    @Test(
        "no request without a valid session is served: none, a forged or tampered cookie, a link used as a session",
        arguments: ["/dashboard", "/dashboard?part=main", "/dashboard/dashboard.js", "/dashboard/dashboard.css"])
    func refusesWithoutASession(path: String) async throws {
        try await Self.withIncidents { vigil, client in
            let token = try await Self.signInToken(vigil, as: Fixtures.ava, client: client)
            let session = try await Self.signIn(token: token, client: client)
            let value = String(session.dropFirst("vigil_dashboard=".count))
            let tampered = String(value.dropLast()) + (value.last == "A" ? "B" : "A")
            for cookie in [nil, "vigil_dashboard=", "vigil_dashboard=\(token)", "vigil_dashboard=\(tampered)", "other=\(value)"] {
                // MUT
                let (status, body, headers) = try await Self.get(path, cookie: cookie, client: client)
                // validate
                #expect(status == .unauthorized, "\(cookie ?? "no cookie") on \(path)")
                #expect(!body.contains("INC-") && !body.contains("Card testing"), "nothing from the store")
                #expect(body.contains("/incident dashboard"), "it says how to sign in")
                #expect(headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            // The real session still works.
            #expect(try await Self.get(path, cookie: session, client: client).0 == .ok)
        }
    }

    @Test("a sign-in link expires after link_ttl, and a session after session_ttl")
    func linksAndSessionsExpire() async throws {
        try await Self.withIncidents { vigil, client in
            // setup: one link used at once, one kept past its 10 minutes
            let fresh = try await Self.signInToken(vigil, as: Fixtures.ava, client: client)
            let kept = try await Self.signInToken(vigil, as: Fixtures.ava, client: client)
            let cookie = try await Self.signIn(token: fresh, client: client)
            vigil.clock.advance(by: 9 * 60)
            #expect(try await Self.get("/dashboard", cookie: cookie, client: client).0 == .ok)

            // MUT: the kept link, 10 min 1 s after it was sent
            vigil.clock.advance(by: 61)
            let late = try await client.execute(uri: "/dashboard/login?token=\(kept)", method: .get)
            // validate
            #expect(late.status == .unauthorized)
            #expect(late.headers[.setCookie] == nil)
            #expect(String(buffer: late.body).contains("expired"))

            // MUT: the session, 12 h after sign-in
            vigil.clock.advance(by: 12 * 3600 - 10 * 60 - 1)
            #expect(try await Self.get("/dashboard", cookie: cookie, client: client).0 == .unauthorized)
        }
    }

    @Test("a restricted incident shows ID, severity and category only, unless the viewer holds the restricted role")
    func restrictedIncidentsAreRedacted() async throws {
        try await Self.withIncidents { vigil, client in
            // MUT
            let ava = try await Self.signIn(token: try await Self.signInToken(vigil, as: Fixtures.ava, client: client), client: client)
            let dee = try await Self.signIn(token: try await Self.signInToken(vigil, as: Fixtures.dee, client: client), client: client)
            let (_, avaPage, _) = try await Self.get("/dashboard", cookie: ava, client: client)
            let (_, avaPart, _) = try await Self.get("/dashboard?part=main", cookie: ava, client: client)
            let (_, deePage, _) = try await Self.get("/dashboard", cookie: dee, client: client)

            // validate: Ava sees INC-2's ID, severity and category, and nothing else of it
            let avaRow = try #require(Self.row("INC-2", in: avaPage))
            #expect(avaRow.contains("SEV2") && avaRow.contains("child-safety"))
            #expect(avaRow.contains("Restricted: details only for people cleared"))
            #expect(!avaRow.contains("@dee") && !avaRow.contains("data-due") && !avaRow.contains("<meter"))
            for text in [avaPage, avaPart] { #expect(!text.contains(Self.restrictedTitle)) }
            // Dee, cleared, sees it whole.
            let deeRow = try #require(Self.row("INC-2", in: deePage))
            #expect(deeRow.contains(Self.restrictedTitle) && deeRow.contains("data-due"))
            #expect(deePage.contains("cleared for restricted incidents"))
        }
    }

    @Test("without public_url, a server not yet listening sends no link but says what to set")
    func noAddressNoLink() async throws {
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (_, reply) = try await vigil.slack("dashboard", client: client)
            #expect(reply.responseType == "ephemeral")
            #expect(reply.text.contains("public_url") && !reply.text.contains("token="), "\(reply.text)")
        }
    }

    /// The `<tr>` that shows `id`.
    static func row(_ id: String, in page: String) -> String? {
        guard let idRange = page.range(of: "<b>\(id)</b>"), let start = page[..<idRange.lowerBound].range(of: "<tr", options: .backwards),
            let end = page[idRange.upperBound...].range(of: "</tr>")
        else { return nil }
        return String(page[start.lowerBound..<end.upperBound])
    }
}
