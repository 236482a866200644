import Testing
import VigilConfig

/// `http:` (finding 6) and `retention:` (finding 7): decoded with safe defaults, and every
/// mistake reported at its `file:line`.
@Suite("vigil.yaml: http and retention")
struct HTTPAndRetentionConfigTests {
    static func decode(_ yaml: String) throws -> VigilConfiguration {
        try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: [:])
    }

    static func diagnostics(_ yaml: String) -> [String]? {
        let error = #expect(throws: ConfigurationError.self) { try decode(yaml) }
        return error?.diagnostics.map(\.description)
    }

    @Test func leftOutTheyAreTheSafeDefaults() throws {
        let configuration = try Self.decode("")
        #expect(configuration.http == HTTPSettings(
            idleTimeout: .seconds(60), headerTimeout: .seconds(10), readTimeout: .seconds(30), maxConnections: 1024))
        #expect(configuration.retention == RetentionSettings(requests: .seconds(30 * 86_400), deliveredPosts: .seconds(30 * 86_400)))
    }

    @Test func everyKeyDecodes() throws {
        let configuration = try Self.decode("""
            http: {idle_timeout: 2m, header_timeout: 5s, read_timeout: 20s, max_connections: 300}
            retention:
              requests: 7d
              delivered_posts: 90d
            """)
        #expect(configuration.http == HTTPSettings(
            idleTimeout: .seconds(120), headerTimeout: .seconds(5), readTimeout: .seconds(20), maxConnections: 300))
        #expect(configuration.retention == RetentionSettings(requests: .seconds(7 * 86_400), deliveredPosts: .seconds(90 * 86_400)))
    }

    @Test func partOfASectionKeepsTheOtherDefaults() throws {
        let configuration = try Self.decode("http:\n  max_connections: 64\n")
        #expect(configuration.http.maxConnections == 64)
        #expect(configuration.http.idleTimeout == .seconds(60))
    }

    @Test func mistakesAreReportedAtTheirLine() {
        #expect(Self.diagnostics("""
            http:
              idle_timeout: soon
              header_timeout: 1h
              max_connections: 0
              read_timout: 5s
            retention:
              requests: 1h
              delivered: 30d
            """) == [
                #"vigil.yaml:2: invalid duration "soon" for http.idle_timeout (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#,
                "vigil.yaml:3: http.header_timeout must be between 1s and 10m, found 1h",
                "vigil.yaml:4: http.max_connections must be between 1 and 1000000, found 0",
                #"vigil.yaml:5: unknown key "read_timout" in http (did you mean "read_timeout"?)"#,
                "vigil.yaml:7: retention.requests must be between 1d and 3650d, found 1h",
                #"vigil.yaml:8: unknown key "delivered" in retention (expected one of: requests, delivered_posts)"#,
            ])
    }

    @Test func theShippedExampleSetsTheDefaults() throws {
        let configuration = try VigilConfiguration.load(path: Repository.exampleConfig, environment: Repository.exampleEnvironment)
        #expect(configuration.http == .defaults)
        #expect(configuration.retention == .defaults)
    }
}
