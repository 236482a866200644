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
}
