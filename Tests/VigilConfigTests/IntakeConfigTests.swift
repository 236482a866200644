import Foundation
import Testing
import VigilConfig
import VigilCore

/// `intake:`: Zendesk's secret and map, the generic webhook's `whsec_` secret, `after_resolve`,
/// and each mistake reported at its line, so `vigil check` catches it before a ticket does.
@Suite("vigil.yaml: intake")
struct IntakeConfigTests {
    static let whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    static func decode(_ yaml: String) throws -> VigilConfiguration {
        try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: ["ZD": "zd-secret"])
    }

    static func diagnostics(_ yaml: String) -> [String] {
        let error = #expect(throws: ConfigurationError.self) { try decode(yaml) }
        return error?.diagnostics.map(\.description) ?? []
    }

    @Test func bothEndpointsDecode() throws {
        let configuration = try Self.decode(
            """
            intake:
              zendesk:
                secret: ${ZD}
                after_resolve: new
                map:
                  default: {category: moderation, severity: sev3}
                  rules:
                    - {when: {tags: [csam]}, type: csam, severity: sev1}
                    - {when: {priority: urgent, group: Fraud}, category: fraud, severity: sev1}
                    - {when: {fields: {"360001234": ncii}}, type: ncii}
              webhook: {secret: [\(Self.whsec), "whsec_\(Data(repeating: 9, count: 32).base64EncodedString())"]}
            """)
        let zendesk = try #require(configuration.intake.zendesk)
        #expect(zendesk.secrets == ["zd-secret"])
        #expect(zendesk.afterResolve == .new)
        #expect(zendesk.map.defaults == IntakeMap.Result(kind: "moderation", kindField: "category", severity: "sev3"))
        #expect(zendesk.map.rules.count == 3)
        #expect(zendesk.map.rules[0] == IntakeMap.Rule(tags: ["csam"], result: IntakeMap.Result(kind: "csam", severity: "sev1")))
        #expect(zendesk.map.rules[1].priority == "urgent" && zendesk.map.rules[1].group == "Fraud")
        #expect(zendesk.map.rules[2].fields == ["360001234": "ncii"])
        let webhook = try #require(configuration.intake.webhook)
        #expect(webhook.secrets.count == 2 && webhook.afterResolve == .reopen)
        #expect(try Self.decode("").intake == IntakeSettings())
    }

    @Test(arguments: [
        ("intake: {webhook: {secret: not-base64!}}", "vigil.yaml:1: intake.webhook.secret must be a Standard Webhooks secret"),
        ("intake: {webhook: {}}", "vigil.yaml:1: intake.webhook needs secret"),
        ("intake: {webhook: {secret: \(whsec), after_resolve: later}}", "intake.webhook.after_resolve must be"),
        ("intake: {zendesk: {secret: s}}", "intake.zendesk needs map:"),
        ("intake: {zendesk: {secret: s, map: {rules: []}}}", "intake.zendesk.map.default needs a type (or category) and a severity"),
        (
            "intake: {zendesk: {secret: s, map: {default: {category: fraud, severity: sev7}}}}",
            "intake.zendesk.map.default.severity \"sev7\" is not a severity"
        ),
        (
            "intake: {zendesk: {secret: s, map: {default: {category: scams, severity: sev3}}}}",
            "intake.zendesk.map.default.category \"scams\" is not a category"
        ),
        (
            "intake: {zendesk: {secret: s, map: {default: {category: fraud, severity: sev3}, rules: [{type: csam}]}}}",
            "intake.zendesk.map.rules[0] needs when:"
        ),
        (
            "intake: {zendesk: {secret: s, map: {default: {category: fraud, severity: sev3}, rules: [{when: {tag: x}, type: csam}]}}}",
            "unknown key \"tag\" in intake.zendesk.map.rules[0].when"
        ),
        ("intake: {zendesk: {secret: \"\", map: {default: {category: fraud, severity: sev3}}}}", "intake.zendesk.secret is empty"),
        ("intake: {zendeks: {}}", "unknown key \"zendeks\" in intake"),
    ])
    func aMistakeIsReportedAtItsLine(_ yaml: String, message: String) {
        let found = Self.diagnostics(yaml)
        #expect(found.contains { $0.contains(message) }, "\(found)")
    }

    @Test func checkNamesAMapTypeNoPlaybookDeclares() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(
            "vigil.yaml",
            """
            commands: \(Repository.commands)
            playbooks: \(Repository.playbooks)
            intake:
              zendesk:
                secret: s
                map:
                  default: {category: fraud, severity: sev3}
                  rules:
                    - {when: {tags: [csam]}, type: csam}
                    - {when: {tags: [x]}, type: cssam}
            """)
        let diagnostics = ConfigCheck.run(configPath: "vigil.yaml", environment: [:], workingDirectory: directory.path)
        #expect(diagnostics.map(\.description).count == 1)
        #expect(diagnostics.first?.description.hasPrefix("vigil.yaml:10: intake.zendesk.map.rules[1].type \"cssam\" is neither") == true)
    }
}
