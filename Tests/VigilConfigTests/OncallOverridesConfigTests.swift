import Testing
import VigilConfig
import VigilCore

/// `oncall_overrides: {approval: …}`: whether `oncall cover` by a non-lead waits for a lead.
@Suite("oncall_overrides in vigil.yaml")
struct OncallOverridesConfigTests {
    func decode(_ yaml: String) throws(ConfigurationError) -> VigilConfiguration {
        try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: [:])
    }

    @Test("left out, overrides need no approval")
    func defaultValue() throws {
        #expect(try decode("listen: 127.0.0.1:8080\n").policy.oncallOverrideApproval == .none)
    }

    @Test("approval: lead or none", arguments: [("lead", OncallOverrideApproval.lead), ("none", .none), ("Lead", .lead)])
    func approval(text: String, expected: OncallOverrideApproval) throws {
        #expect(try decode("oncall_overrides: {approval: \(text)}\n").policy.oncallOverrideApproval == expected)
    }

    @Test(
        "a bad value or key is reported at its line",
        arguments: [
            (
                "oncall_overrides: {approval: leads}\n",
                #"vigil.yaml:1: oncall_overrides.approval must be none or lead, found "leads" (did you mean "lead"?)"#
            ),
            ("oncall_overrides: {aproval: lead}\n", #"vigil.yaml:1: unknown key "aproval" in oncall_overrides (did you mean "approval"?)"#),
            ("oncall_overrides: lead\n", #"vigil.yaml:1: expected a mapping (key: value) for oncall_overrides, found "lead""#),
        ])
    func badValue(yaml: String, expected: String) {
        let error = #expect(throws: ConfigurationError.self) { try decode(yaml) }
        #expect(error?.diagnostics.map(\.description) == [expected])
    }

    @Test("a schedule may not be named after a word of oncall")
    func reservedScheduleName() {
        let yaml = """
            oncall:
              - {name: cover, members: ["<@U0AVA>"], shift: 1w, handoff: "2026-11-02 09:00 UTC"}
            """
        let error = #expect(throws: ConfigurationError.self) { try decode(yaml) }
        #expect(
            error?.diagnostics.map(\.description).contains {
                $0.hasPrefix(#"vigil.yaml:2: on-call schedule name "cover" is a word of `oncall`"#)
            } == true,
            "\(error?.diagnostics.map(\.description) ?? [])")
    }
}
