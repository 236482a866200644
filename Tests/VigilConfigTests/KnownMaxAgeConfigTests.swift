import Testing
import VigilConfig
import VigilCore

/// `known_max_age`, the limit on how far back `open … --known` may reach (finding 2).
@Suite("known_max_age in vigil.yaml")
struct KnownMaxAgeConfigTests {
    func decode(_ yaml: String) throws(ConfigurationError) -> VigilConfiguration {
        try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: [:])
    }

    @Test("left out, it is 30 days")
    func defaultValue() throws {
        #expect(try decode("listen: 127.0.0.1:8080\n").policy.knownMaxAge == .seconds(30 * 86_400))
    }

    @Test("it takes a duration", arguments: [("7d", 7 * 86_400), ("1w", 604_800), ("12h", 43_200), ("366d", 366 * 86_400)])
    func duration(text: String, seconds: Int64) throws {
        #expect(try decode("known_max_age: \(text)\n").policy.knownMaxAge == .seconds(seconds))
    }

    @Test("a bad value is reported at its line", arguments: [
        ("soon", #"vigil.yaml:2: invalid duration "soon" for known_max_age (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#),
        ("0s", #"vigil.yaml:2: invalid duration "0s" for known_max_age (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#),
        ("30s", "vigil.yaml:2: known_max_age must be between 1m and 366d, found 30s"),
        ("400d", "vigil.yaml:2: known_max_age must be between 1m and 366d, found 400d"),
    ])
    func badValue(text: String, expected: String) {
        let error = #expect(throws: ConfigurationError.self) { try decode("listen: 127.0.0.1:8080\nknown_max_age: \(text)\n") }
        #expect(error?.diagnostics.map(\.description) == [expected])
    }

    @Test("a misspelt key gets a suggestion")
    func misspelt() {
        let error = #expect(throws: ConfigurationError.self) { try decode("known_max_ag: 7d\n") }
        #expect(error?.diagnostics.map(\.description) == [#"vigil.yaml:1: unknown key "known_max_ag" (did you mean "known_max_age"?)"#])
    }

    @Test("the shipped example sets it")
    func example() throws {
        let configuration = try VigilConfiguration.load(path: Repository.exampleConfig, environment: Repository.exampleEnvironment)
        #expect(configuration.policy.knownMaxAge == .seconds(30 * 86_400))
    }
}
