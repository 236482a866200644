import Testing
import VigilConfig

/// `dashboard:`: how long sign-in links and sessions last, their key, and the OIDC provider.
@Suite("vigil.yaml: dashboard")
struct DashboardConfigTests {
    @Test func everyKeyIsOptional() throws {
        let settings = try ConfigText.decode("id_prefix: INC\n").dashboard
        #expect(settings == DashboardSettings())
        #expect(settings.linkTTL == .seconds(600) && settings.sessionTTL == .seconds(12 * 3600) && settings.oidc == nil)
    }

    @Test func eachKeyDecodes() throws {
        let configuration = try ConfigText.decode(
            """
            public_url: https://vigil.example.com
            dashboard:
              link_ttl: 5m
              session_ttl: 8h
              secret: 0123456789abcdef0123
              oidc:
                issuer: https://accounts.example.com
                client_id: vigil-dashboard
                client_secret: a-client-secret-value
            """)
        let settings = configuration.dashboard
        #expect(settings.linkTTL == .seconds(300) && settings.sessionTTL == .seconds(8 * 3600))
        #expect(settings.secret == "0123456789abcdef0123")
        #expect(
            settings.oidc
                == OIDCSettings(issuer: "https://accounts.example.com", clientID: "vigil-dashboard", clientSecret: "a-client-secret-value"))
        #expect(settings.oidc?.discoveryURL == "https://accounts.example.com/.well-known/openid-configuration")
        #expect(
            configuration.secrets.contains("a-client-secret-value") && configuration.secrets.contains("0123456789abcdef0123"),
            "both are redacted from logs")
    }

    @Test(
        "mistakes are reported at their line, naming the key",
        arguments: [
            ("dashboard:\n  link_ttl: 2h\n", "dashboard.link_ttl must be from 1m to 1h"),
            ("dashboard:\n  session_ttl: 30d\n", "dashboard.session_ttl must be from 5m to 7d"),
            ("dashboard:\n  secret: short\n", "dashboard.secret must be at least 16 characters"),
            ("dashboard:\n  lifetime: 1h\n", "lifetime"),
            (
                "public_url: https://v.example.com\ndashboard:\n  oidc: {issuer: http://accounts.example.com, client_id: a, client_secret: b}\n",
                "dashboard.oidc.issuer must be the provider's https URL"
            ),
            (
                "dashboard:\n  oidc: {issuer: https://accounts.example.com, client_id: a, client_secret: b}\n",
                "dashboard.oidc needs public_url"
            ),
            (
                "public_url: https://v.example.com\ndashboard:\n  oidc: {issuer: https://accounts.example.com}\n",
                "needs client_id and client_secret"
            ),
        ])
    func mistakes(text: String, message: String) {
        let diagnostics = ConfigText.diagnostics(text)
        #expect(diagnostics.count == 1, "\(diagnostics)")
        #expect(diagnostics.first?.contains(message) == true, "\(diagnostics)")
    }

    @Test func anIssuerOnLoopbackMayBeHTTP() throws {
        let settings = try ConfigText.decode(
            "public_url: http://127.0.0.1:8080\ndashboard:\n  oidc: {issuer: \"http://127.0.0.1:5556/dex\", client_id: a, client_secret: b}\n"
        ).dashboard
        #expect(settings.oidc?.issuer == "http://127.0.0.1:5556/dex")
    }

    @Test func withoutPublicURLAServerOffLoopbackIsWarnedThatItSendsNoLinks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func warnings(_ yaml: String) throws -> [String] {
            try directory.write("vigil.yaml", "commands: \(Repository.commands)\nplaybooks: \(Repository.playbooks)\n" + yaml)
            return ConfigCheck.warnings(configPath: "vigil.yaml", environment: [:], workingDirectory: directory.path).map(\.description)
                .filter { $0.contains("public_url") }  // the shipped playbooks' owners are warned about too
        }
        #expect(
            try warnings("listen: 0.0.0.0:8080\n") == [
                "vigil.yaml:3: public_url is not set, so /incident dashboard sends no sign-in links: browsers do not reach 0.0.0.0:8080 as such"
            ])
        #expect(try warnings("listen: 127.0.0.1:8080\n").isEmpty)
        #expect(try warnings("listen: 0.0.0.0:8080\npublic_url: https://vigil.example.com\n").isEmpty)
    }
}
