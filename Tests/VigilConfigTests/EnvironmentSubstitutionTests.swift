import Testing

@testable import VigilConfig

@Suite("${VAR} substitution")
struct EnvironmentSubstitutionTests {
    typealias Failure = EnvironmentSubstitution.Failure

    @Test(arguments: [
        ("plain text", "plain text", [Failure]()),
        ("${A}", "alpha", []),
        ("${A}-${B_2}", "alpha-beta", []),
        ("$$", "$", []),
        ("pa$$${A}", "pa$alpha", []),
        ("cost: $5", "cost: $5", []),
        ("trailing $", "trailing $", []),
        ("${MISSING}", "", [.missing(name: "MISSING", lineOffset: 0)]),
        ("a\nb ${MISSING}", "a\nb ", [.missing(name: "MISSING", lineOffset: 1)]),
        ("${1BAD}", "${1BAD}", [.malformed(reference: "${1BAD}", lineOffset: 0)]),
        ("${OPEN", "${OPEN", [.malformed(reference: "${OPEN", lineOffset: 0)]),
    ])
    func substitute(text: String, expected: String, failures: [Failure]) {
        let result = EnvironmentSubstitution.substitute(text, environment: ["A": "alpha", "B_2": "beta"])
        #expect(result.text == expected)
        #expect(result.failures == failures)
    }

    @Test("references work inside one-line flow mappings, as design.md writes them")
    func flowMappings() throws {
        // setup
        let key = String(repeating: "ab", count: 32)
        let yaml = """
            discord: {public_key: ${DISCORD_PUBLIC_KEY}, application_id: "123456789012345678"}
            slack: {signing_secret: pa$$${SLACK_SIGNING_SECRET}}
            teams: {security_token: ${TEAMS_SECURITY_TOKEN}}
            """

        // MUT
        let configuration = try VigilConfiguration.decode(
            yaml: yaml, file: "vigil.yaml", directory: "/",
            environment: ["DISCORD_PUBLIC_KEY": key, "SLACK_SIGNING_SECRET": "s3cret", "TEAMS_SECURITY_TOKEN": "c2VjcmV0"])

        // validate
        #expect(configuration.chatPlatforms.contains(.slack(signingSecret: "pa$s3cret")))
        #expect(configuration.chatPlatforms.contains(.teams(securityToken: Array("secret".utf8))))
        #expect(configuration.chatPlatforms.count == 3)
    }

    @Test("an unset reference in a flow mapping is reported at its line")
    func flowMappingMissing() {
        let error = #expect(throws: ConfigurationError.self) {
            try VigilConfiguration.decode(
                yaml: "listen: 127.0.0.1:8080\nslack: {signing_secret: ${NOT_SET}}\n", file: "vigil.yaml", directory: "/", environment: [:])
        }
        #expect(error?.description == "vigil.yaml:2: environment variable NOT_SET is not set (used in slack.signing_secret)")
    }
}
