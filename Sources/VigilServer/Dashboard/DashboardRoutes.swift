import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VigilConfig
import VigilCore

/// `/dashboard`: the lead dashboard, its assets and its sign-in.
///
/// Nothing under `/dashboard` is served without a session, except the ways in and out (the
/// sign-in link, the OpenID Connect start and callback, and sign-out, which only clears the
/// cookie): a request without a valid session cookie
/// gets a 401 page that says how to sign in, and holds nothing from the store. The session is a
/// ``DashboardTokens`` cookie (HttpOnly, SameSite=Lax, Secure when `public_url` is https) naming
/// the platform identity the sign-in link was sent to, or the chat account of the person the
/// identity provider vouched for. Who may look is decided on every request, from config as it is now: the `dashboard`
/// command's roles, and the restricted role for restricted details.
struct DashboardRoutes: Sendable {
    static let path = "/dashboard"
    static let loginPath = "/dashboard/login"
    static let logoutPath = "/dashboard/logout"
    static let stylesheetPath = "/dashboard/dashboard.css"
    static let scriptPath = "/dashboard/dashboard.js"
    static let cookieName = "vigil_dashboard"

    let tokens: DashboardTokens
    let settings: DashboardSettings
    let store: any IncidentStore
    let policy: Policy
    let catalog: PlaybookCatalog
    /// Who may look: the roles of the `dashboard` command's spec.
    let roles: [Role]
    /// Whether the cookie is marked Secure (the dashboard is reached over https).
    let secureCookie: Bool
    let now: @Sendable () -> Date
    let logger: Logger
    /// Sign-in through `dashboard.oidc`'s provider, when configured.
    var oidc: OIDCSignIn? = nil

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ in
            await dashboard(request)
        }
        router.get(RouterPath(Self.loginPath)) { request, _ in
            login(token: request.uri.queryParameters.get("token"))
        }
        router.post(RouterPath(Self.logoutPath)) { _, _ in
            Self.page(.ok, title: "Signed out", body: "<p>You are signed out of Vigil's dashboard.</p>", clearing: true)
        }
        router.get(RouterPath(Self.stylesheetPath)) { request, _ in
            asset(request, DashboardAssets.stylesheet, type: "text/css; charset=utf-8")
        }
        router.get(RouterPath(Self.scriptPath)) { request, _ in
            asset(request, DashboardAssets.script, type: "text/javascript; charset=utf-8")
        }
        if let oidc {
            router.get(RouterPath(OIDCSignIn.startPath)) { _, _ in
                await startOIDC(oidc)
            }
            router.get(RouterPath(OIDCSignIn.callbackPath)) { request, _ in
                await finishOIDC(oidc, request)
            }
        }
    }

    // MARK: - Sign-in

    /// The signed-in viewer, or the answer that refuses the request.
    private func viewer(_ request: Request) -> Result<UserRef, Refusal> {
        guard let cookie = request.cookies[Self.cookieName]?.value, let claims = tokens.verify(cookie, as: .session, now: now()) else {
            return .failure(.signIn)
        }
        guard policy.roles.hasAny(claims.user, roles, people: policy.people) else { return .failure(.notAllowed(claims.user)) }
        return .success(claims.user)
    }

    private enum Refusal: Error {
        case signIn
        case notAllowed(UserRef)
    }

    private func refuse(_ refusal: Refusal) -> Response {
        switch refusal {
        case .signIn:
            let provider =
                oidc.map { oidc in
                    "<p>Or <a href=\"\(OIDCSignIn.startPath)\">sign in with your company account</a> "
                        + "(\(HTML.escape(URL(string: oidc.settings.issuer)?.host ?? oidc.settings.issuer))).</p>"
                } ?? ""
            return Self.page(
                .unauthorized, title: "Sign in to Vigil",
                body: """
                    <p>The dashboard needs you to sign in. In chat, type <code>/incident dashboard</code>: Vigil answers you alone \
                    with a sign-in link that works for \(HTML.escape(DurationText.format(settings.linkTTL))).</p>\(provider)
                    """,
                clearing: true)
        case let .notAllowed(user):
            logger.notice("dashboard refused: role", metadata: ["user": "\(user.identity.map(String.init(describing:)) ?? user.id)"])
            let names = roles.map(\.rawValue).joined(separator: " or ")
            return Self.page(
                .forbidden, title: "Not allowed",
                body: "<p>The dashboard is for people with the \(HTML.escape(names)) role. Ask a Vigil admin if you need it.</p>",
                clearing: true)
        }
    }

    /// `GET /dashboard/login?token=…`: a valid link sets the session cookie and sends the browser
    /// on to the dashboard, so the token leaves the address bar at once.
    private func login(token: String?) -> Response {
        guard let token, let claims = tokens.verify(token, as: .link, now: now()) else {
            return Self.page(
                .unauthorized, title: "Link expired",
                body: """
                    <p>This sign-in link has expired or is not valid. Type <code>/incident dashboard</code> in chat for a new \
                    one; it works for \(HTML.escape(DurationText.format(settings.linkTTL))).</p>
                    """,
                clearing: false)
        }
        return session(for: claims.user)
    }

    private func cookie(_ value: String, maxAge: Int, name: String = cookieName, path: String = path) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Lax\(secureCookie ? "; Secure" : "")"
    }

    /// A session for `user`, and the browser sent on to the dashboard; `extra` cookies too.
    private func session(for user: UserRef, extraCookies: [String] = []) -> Response {
        let session = tokens.issue(.session, for: user, expires: now().addingTimeInterval(settings.sessionTTL.seconds))
        var headers = Self.securityHeaders()
        headers[.location] = Self.path
        headers[.setCookie] = cookie(session, maxAge: Int(settings.sessionTTL.seconds))
        for extra in extraCookies { headers.append(HTTPField(name: .setCookie, value: extra)) }
        logger.info("dashboard sign-in", metadata: ["platform": "\(user.platform ?? "")"])
        return Response(status: .seeOther, headers: headers)
    }

    // MARK: - OpenID Connect

    /// `GET /dashboard/oidc/start`: to the provider, with this browser's state cookie.
    private func startOIDC(_ oidc: OIDCSignIn) async -> Response {
        do {
            let (location, state) = try await oidc.start(now: now())
            var headers = Self.securityHeaders()
            headers[.location] = location
            headers[.setCookie] = cookie(state, maxAge: Int(OIDCSignIn.stateTTL), name: OIDCSignIn.stateCookie, path: OIDCSignIn.stateCookiePath)
            return Response(status: .seeOther, headers: headers)
        } catch {
            logger.error("dashboard OIDC sign-in could not start", metadata: ["error": "\(error.message)"])
            return Self.page(.badGateway, title: "Sign-in unavailable", body: "<p>\(HTML.escape(error.message))</p>", clearing: false)
        }
    }

    /// `GET /dashboard/oidc/callback?code=…&state=…`: the provider's answer, checked, becomes a
    /// session for the person whose `people:` email the provider vouched for.
    private func finishOIDC(_ oidc: OIDCSignIn, _ request: Request) async -> Response {
        let query = request.uri.queryParameters
        let clearState = cookie("", maxAge: 0, name: OIDCSignIn.stateCookie, path: OIDCSignIn.stateCookiePath)
        let token: OIDCIDToken
        do {
            token = try await oidc.finish(
                code: query.get("code"), state: query.get("state"), error: query.get("error"),
                cookie: request.cookies[OIDCSignIn.stateCookie]?.value, now: now())
        } catch {
            logger.notice("dashboard OIDC sign-in refused", metadata: ["reason": "\(error.message)"])
            return Self.page(
                error.kind == .provider ? .badGateway : .unauthorized, title: "Not signed in",
                body: "<p>\(HTML.escape(error.message))</p><p><a href=\"\(OIDCSignIn.startPath)\">Try again</a>.</p>", clearing: false,
                extraCookies: [clearState])
        }
        guard let email = token.email, token.emailVerified != false, let person = policy.people.person(withEmail: email),
            let account = person.accounts.first
        else {
            let shown = token.email.map { HTML.escape($0) } ?? "(none)"
            return Self.page(
                .forbidden, title: "Not one of Vigil's people",
                body: """
                    <p>The identity provider signed you in as \(shown), which is no one's verified email in Vigil's \
                    <code>people:</code> (with a chat account). Ask a Vigil admin to add it.</p>
                    """,
                clearing: false, extraCookies: [clearState])
        }
        let viewer = UserRef(id: account.id, name: person.name, platform: account.platform)
        guard policy.roles.hasAny(viewer, roles, people: policy.people) else {
            return refuse(.notAllowed(viewer))
        }
        return session(for: viewer, extraCookies: [clearState])
    }

    // MARK: - Pages

    /// `GET /dashboard` (the page) and `GET /dashboard?part=main` (what the script swaps in).
    private func dashboard(_ request: Request) async -> Response {
        let viewer: UserRef
        switch self.viewer(request) {
        case let .success(user): viewer = user
        case let .failure(refusal): return refuse(refusal)
        }
        let at = now()
        let snapshot: DashboardSnapshot
        do {
            snapshot = try await self.snapshot(for: viewer, at: at)
        } catch {
            logger.error("dashboard read failed", metadata: ["error": "\(String(reflecting: error))"])
            return Self.page(
                .serviceUnavailable, title: "Store not answering",
                body: "<p>Vigil could not read its store just now. The page will work again once the store answers.</p>",
                clearing: false)
        }
        let page = DashboardPage(policy: policy)
        let html = request.uri.queryParameters.get("part") == "main" ? page.main(snapshot) : page.page(snapshot)
        var headers = Self.securityHeaders()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The open incidents, the last 7 and 30 days' figures and the outbox, read at `at`.
    func snapshot(for viewer: UserRef, at: Date) async throws -> DashboardSnapshot {
        let open = try await store.listed(matching: IncidentFilter(states: [.open, .acknowledged], limit: 500))
        let reporter = ReportExport(store: store, policy: policy)
        var reports: [KPIReport] = []
        for days in [7, 30] {
            let period = try ReportPeriodSpec.last(hours: days * 24).resolve(now: at, timeZone: policy.timeZone)
            reports.append(try await reporter.report(period, now: at))
        }
        let outbox = try await store.storeStatus(now: at, deadLetterLimit: 5)
        return DashboardSnapshot(open: open, reports: reports, outbox: outbox, viewer: viewer, policy: policy, catalog: catalog, now: at)
    }

    private func asset(_ request: Request, _ text: String, type: String) -> Response {
        if case let .failure(refusal) = viewer(request) { return refuse(refusal) }
        var headers = Self.securityHeaders()
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A small page of Vigil's own words (sign-in, refusals), styled inline: it loads nothing,
    /// since without a session the stylesheet is not served. `clearing` drops the session cookie.
    private static func page(
        _ status: HTTPResponse.Status, title: String, body: String, clearing: Bool, extraCookies: [String] = []
    ) -> Response {
        var headers = securityHeaders()
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        headers[.contentType] = "text/html; charset=utf-8"
        if clearing {
            headers.append(HTTPField(name: .setCookie, value: "\(cookieName)=; Path=\(path); Max-Age=0; HttpOnly; SameSite=Lax"))
        }
        for extra in extraCookies { headers.append(HTTPField(name: .setCookie, value: extra)) }
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer"><title>Vigil: \(HTML.escape(title))</title>
            <style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:36rem;padding:0 1rem}
            code{padding:.1rem .3rem;background:#f2f2f2;border-radius:.3rem}</style>
            </head><body><h1>\(HTML.escape(title))</h1>\(body)</body></html>
            """
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Nothing cached, nothing framed, no referrer, and only Vigil's own script and stylesheet.
    private static func securityHeaders() -> HTTPFields {
        var headers: HTTPFields = [.cacheControl: "no-store"]
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return headers
    }
}
