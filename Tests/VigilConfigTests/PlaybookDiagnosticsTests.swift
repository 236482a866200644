import Testing
import VigilConfig
import VigilCore

/// Each kind of mistake in a playbook and the exact `file:line: message` it produces.
@Suite("playbook diagnostics")
struct PlaybookDiagnosticsTests {
    typealias Case = PlaybookCase

    /// The lines before `steps:` of a valid playbook for `payout.yaml` (lines 1 to 4), in the
    /// older `applies_to.categories` form, which still works. (Its id is not `fraud`: the id is
    /// the type word, and a type may not be a category name.)
    static let head = "id: payout\ntitle: Payout fraud\nsummary: Payouts to a stolen account.\napplies_to: {categories: [fraud]}\n"
    /// A valid step, as a flow mapping without the closing brace, to add keys to.
    static let step = "{id: freeze, title: Freeze payouts, owner: responder, instructions: Freeze them."

    /// `head`, then `steps:` (line 5) with one step per element (lines 6, 7, …).
    static func playbook(_ steps: String..., extra: String = "") -> String {
        head + extra + "steps:\n" + steps.map { "  - \($0)\n" }.joined()
    }

    static let cases: [Case] = [
        // Unknown keys
        Case(name: "unknown top-level key", yaml: playbook(step + "}") + "tittle: Again\n",
             expected: [#"playbooks/payout.yaml:7: unknown key "tittle" (did you mean "title"?)"#]),
        Case(name: "unknown key in applies_to",
             yaml: playbook(step + "}").replacingOccurrences(of: "{categories:", with: "{categries:"),
             expected: [
                #"playbooks/payout.yaml:1: missing required key "category" (add category: with one of fraud, moderation, compliance or child-safety)"#,
                #"playbooks/payout.yaml:4: unknown key "categries" in applies_to (did you mean "categories"?)"#,
             ]),
        Case(name: "unknown key in legal", yaml: playbook(step + "}", extra: "legal: {rule: R, citation: C, due: 1d, form: known}\n"),
             expected: [#"playbooks/payout.yaml:5: unknown key "form" in legal (did you mean "from"?)"#]),
        Case(name: "unknown step key", yaml: playbook(step + ", blockng: true}"),
             expected: [#"playbooks/payout.yaml:6: unknown key "blockng" in steps[0] (did you mean "blocking"?)"#]),
        Case(name: "unknown key in a requires item", yaml: playbook(step + ", requires: [{name: iban, descripton: IBAN}]}"),
             expected: [
                #"playbooks/payout.yaml:6: unknown key "descripton" in steps[0].requires[0] (did you mean "description"?)"#,
                #"playbooks/payout.yaml:6: missing required key "description" in steps[0].requires[0]"#,
             ]),
        Case(name: "unknown key in when, not also reported empty", yaml: playbook(step + ", when: {severites: [sev1]}}"),
             expected: [#"playbooks/payout.yaml:6: unknown key "severites" in steps[0].when (did you mean "severities"?)"#]),
        Case(name: "unknown key far from any known one", yaml: playbook(step + ", colour: red}"),
             expected: [#"playbooks/payout.yaml:6: unknown key "colour" in steps[0] (expected one of: id, title, owner, due, from, after, instructions, requires, approval, when, blocking, completes_legal, preserve)"#]),

        // Missing keys
        Case(name: "missing top-level keys", yaml: "id: payout\n", expected: [
            #"playbooks/payout.yaml:1: missing required key "title""#,
            #"playbooks/payout.yaml:1: missing required key "summary""#,
            #"playbooks/payout.yaml:1: missing required key "category" (add category: with one of fraud, moderation, compliance or child-safety)"#,
            #"playbooks/payout.yaml:1: missing required key "steps""#,
        ]),
        Case(name: "an empty file", yaml: "# nothing yet\n", expected: [
            #"playbooks/payout.yaml:1: missing required key "id""#,
            #"playbooks/payout.yaml:1: missing required key "title""#,
            #"playbooks/payout.yaml:1: missing required key "summary""#,
            #"playbooks/payout.yaml:1: missing required key "category" (add category: with one of fraud, moderation, compliance or child-safety)"#,
            #"playbooks/payout.yaml:1: missing required key "steps""#,
        ]),
        Case(name: "a key with nothing after it is missing", yaml: playbook(step + "}").replacingOccurrences(of: "title: Payout fraud", with: "title:"),
             expected: [#"playbooks/payout.yaml:2: missing required key "title""#]),
        Case(name: "missing step keys", yaml: playbook("{id: freeze}"),
             expected: [
                #"playbooks/payout.yaml:6: missing required key "title" in steps[0]"#,
                #"playbooks/payout.yaml:6: missing required key "instructions" in steps[0]"#,
                #"playbooks/payout.yaml:6: missing required key "owner" in steps[0]"#,
             ]),
        Case(name: "missing legal keys", yaml: playbook(step + "}", extra: "legal:\n  rule: Report to the regulator\n"),
             expected: [
                #"playbooks/payout.yaml:6: missing required key "citation" in legal"#,
                #"playbooks/payout.yaml:6: missing required key "due" in legal"#,
             ]),
        Case(name: "requires item without a name", yaml: playbook(step + ", requires: [{description: IBAN}]}"),
             expected: [#"playbooks/payout.yaml:6: missing required key "name" in steps[0].requires[0]"#]),
        Case(name: "blank title", yaml: playbook(step + "}").replacingOccurrences(of: "Payout fraud", with: #""  ""#),
             expected: ["playbooks/payout.yaml:2: title is empty"]),

        // Names and ids
        Case(name: "file not named after the id", yaml: playbook(step + "}"), expected: [
            #"playbooks/payouts.yaml:1: playbook "payout" must be in a file named payout.yaml or NN-payout.yaml"#,
        ], file: "playbooks/payouts.yaml"),
        Case(name: "order prefix that is not digits", yaml: playbook(step + "}"), expected: [
            #"playbooks/a1-payout.yml:1: playbook "payout" must be in a file named payout.yml or NN-payout.yml"#,
        ], file: "playbooks/a1-payout.yml"),
        Case(name: "playbook id not lowercase", yaml: playbook(step + "}").replacingOccurrences(of: "id: payout", with: "id: Payout_Fraud"),
             expected: [#"playbooks/payout.yaml:1: playbook id "Payout_Fraud" must be lowercase letters, digits or -, starting with a letter or digit"#]),
        Case(name: "step id with punctuation", yaml: playbook(step.replacingOccurrences(of: "id: freeze", with: "id: -freeze") + "}"),
             expected: [#"playbooks/payout.yaml:6: step id "-freeze" must be lowercase letters, digits or -, starting with a letter or digit"#]),
        Case(name: "duplicate step ids", yaml: playbook(step + "}", "{id: notify, title: N, owner: comms, instructions: N.}", step + "}"),
             expected: [#"playbooks/payout.yaml:8: duplicate step id "freeze" (first defined on line 6)"#]),
        Case(name: "a step that is not a mapping", yaml: playbook("freeze the payouts"),
             expected: [#"playbooks/payout.yaml:6: expected a mapping (key: value) for steps[0], found "freeze the payouts""#]),
        Case(name: "requires not a list", yaml: playbook(step + ", requires: iban}"),
             expected: [#"playbooks/payout.yaml:6: expected a list for steps[0].requires, found "iban""#]),
        Case(name: "no steps", yaml: head + "steps: []\n",
             expected: ["playbooks/payout.yaml:5: steps must list at least one step"]),
        Case(name: "steps not a list", yaml: head + "steps: freeze\n",
             expected: [#"playbooks/payout.yaml:5: expected a list for steps, found "freeze""#]),

        // Roles, categories, severities
        Case(name: "unknown role, close to one", yaml: playbook(step.replacingOccurrences(of: "responder", with: "responer") + "}"),
             expected: [#"playbooks/payout.yaml:6: unknown role "responer" for steps[0].owner (did you mean "responder"?)"#]),
        Case(name: "unknown category in applies_to", yaml: playbook(step + "}").replacingOccurrences(of: "[fraud]", with: "[fruad]"),
             expected: [#"playbooks/payout.yaml:4: unknown category "fruad" in applies_to.categories (did you mean "fraud"?)"#]),
        Case(name: "unknown severity in applies_to", yaml: playbook(step + "}").replacingOccurrences(of: "[fraud]", with: "[fraud], severities: [p1]"),
             expected: [#"playbooks/payout.yaml:4: unknown severity "p1" in applies_to.severities (expected one of: sev1, sev2, sev3)"#]),
        Case(name: "unknown category in when", yaml: playbook(step + ", when: {categories: [moderaton]}}"),
             expected: [#"playbooks/payout.yaml:6: unknown category "moderaton" in steps[0].when.categories (did you mean "moderation"?)"#]),
        Case(name: "unknown severity in when", yaml: playbook(step + ", when: {severities: [critical]}}"),
             expected: [#"playbooks/payout.yaml:6: unknown severity "critical" in steps[0].when.severities (expected one of: sev1, sev2, sev3)"#]),
        Case(name: "category listed twice", yaml: playbook(step + "}").replacingOccurrences(of: "[fraud]", with: "[fraud, Fraud]"),
             expected: [#"playbooks/payout.yaml:4: category "fraud" is listed twice in applies_to.categories"#]),

        // Values
        Case(name: "bad step duration", yaml: playbook(step + ", due: 5x}"),
             expected: [#"playbooks/payout.yaml:6: invalid duration "5x" for steps[0].due (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#]),
        Case(name: "bad legal duration", yaml: playbook(step + "}", extra: "legal: {rule: R, citation: C, due: a day}\n"),
             expected: [#"playbooks/payout.yaml:5: invalid duration "a day" for legal.due (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#]),
        Case(name: "from neither known, opened nor start", yaml: playbook(step + ", due: 1h, from: later}"),
             expected: [#"playbooks/payout.yaml:6: steps[0].from must be known, opened or start, found "later""#]),
        Case(name: "legal from misspelt", yaml: playbook(step + "}", extra: "legal: {rule: R, citation: C, due: 1d, from: opend}\n"),
             expected: [#"playbooks/payout.yaml:5: legal.from must be known or opened, found "opend" (did you mean "opened"?)"#]),
        Case(name: "approval other than two-person", yaml: playbook(step + ", approval: dual}"),
             expected: [#"playbooks/payout.yaml:6: steps[0].approval must be two-person, found "dual""#]),
        Case(name: "approval misspelt", yaml: playbook(step + ", approval: two_person}"),
             expected: [#"playbooks/payout.yaml:6: steps[0].approval must be two-person, found "two_person" (did you mean "two-person"?)"#]),
        Case(name: "blocking not a boolean", yaml: playbook(step + ", blocking: maybe}"),
             expected: [#"playbooks/payout.yaml:6: expected true or false for steps[0].blocking, found "maybe""#]),
        Case(name: "completes_legal not a boolean", yaml: playbook(step + ", completes_legal: 1}", extra: "legal: {rule: R, citation: C, due: 1d}\n"),
             expected: [#"playbooks/payout.yaml:7: expected true or false for steps[0].completes_legal, found "1""#]),

        // Evidence
        Case(name: "evidence field name not lowercase", yaml: playbook(step + ", requires: [{name: Report-No, description: R}]}"),
             expected: [#"playbooks/payout.yaml:6: evidence field name "Report-No" in steps[0].requires[0] must be lowercase letters, digits or _, starting with a letter"#]),
        Case(name: "duplicate evidence field", yaml: playbook(step + """
            , requires: [
                {name: iban, description: IBAN},
                {name: iban, description: The IBAN again}]}
            """), expected: [#"playbooks/payout.yaml:8: duplicate evidence field "iban" in steps[0] (first defined on line 7)"#]),

        // When
        Case(name: "when whose categories are not in applies_to", yaml: playbook(step + ", when: {categories: [moderation, compliance]}}"),
             expected: ["playbooks/payout.yaml:6: steps[0].when can never hold: none of its categories (moderation, compliance) is in applies_to.categories (fraud)"]),
        Case(name: "when whose severities are not in applies_to",
             yaml: playbook(step + "}", step.replacingOccurrences(of: "freeze", with: "call") + ",\n    when: {severities: [sev3]}}")
                .replacingOccurrences(of: "[fraud]", with: "[fraud], severities: [sev1, sev2]"),
             expected: ["playbooks/payout.yaml:8: steps[1].when can never hold: none of its severities (sev3) is in applies_to.severities (sev1, sev2)"]),
        Case(name: "empty when", yaml: playbook(step + ", when: {}}"),
             expected: ["playbooks/payout.yaml:6: steps[0].when is empty (give categories or severities, or remove when to apply the step to every incident)"]),
        Case(name: "when with empty lists", yaml: playbook(step + ", when: {categories: [], severities: []}}"),
             expected: ["playbooks/payout.yaml:6: steps[0].when is empty (give categories or severities, or remove when to apply the step to every incident)"]),
        Case(name: "completes_legal without legal", yaml: playbook(step + ", completes_legal: true}"),
             expected: ["playbooks/payout.yaml:6: steps[0].completes_legal is true but the playbook has no legal clock (add legal: or remove it)"]),

        // YAML
        Case(name: "YAML syntax error", yaml: head + "steps: [{id: freeze\n",
             expected: ["playbooks/payout.yaml:6: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 5)"]),
        Case(name: "mapping where a string belongs", yaml: playbook(step.replacingOccurrences(of: "responder", with: "{role: lead}") + "}"),
             expected: ["playbooks/payout.yaml:6: expected a string for steps[0].owner, found a mapping"]),
        Case(name: "duplicate YAML key", yaml: playbook(step + ", owner: lead}"),
             expected: [#"playbooks/payout.yaml:6: duplicate key "owner" in one mapping"#]),
        Case(name: "every mistake at once, in line order", yaml: """
            id: payout
            title: Payout fraud
            summary: Payouts.
            applies_to: {categories: [fraud, scams]}
            steps:
              - id: freeze
                title: Freeze
                owner: cfo
                due: soon
                instructions: Freeze.
                completes_legal: true
              - {id: freeze, title: Again, owner: lead, instructions: Again.}
            """, expected: [
                #"playbooks/payout.yaml:4: unknown category "scams" in applies_to.categories (expected one of: fraud, moderation, compliance, child-safety)"#,
                #"playbooks/payout.yaml:8: unknown role "cfo" for steps[0].owner (expected one of: responder, lead, legal, oncall, privacy, support, engineering, comms)"#,
                #"playbooks/payout.yaml:9: invalid duration "soon" for steps[0].due (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#,
                "playbooks/payout.yaml:11: steps[0].completes_legal is true but the playbook has no legal clock (add legal: or remove it)",
                #"playbooks/payout.yaml:12: duplicate step id "freeze" (first defined on line 6)"#,
            ]),
    ]

    @Test(arguments: cases)
    func mistake(_ testCase: Case) {
        // MUT
        let error = #expect(throws: ConfigurationError.self) {
            try PlaybookLoader.decode(yaml: testCase.yaml, file: testCase.file, policy: .defaults, roles: Playbook.builtInRoles)
        }

        // validate
        #expect(error?.diagnostics.map(\.description) == testCase.expected)
    }

    @Test("NN-<id>.yaml and <id>.yml are accepted names", arguments: ["payout.yaml", "07-payout.yaml", "payout.yml", "2026-payout.yaml"])
    func fileNames(_ name: String) throws {
        let playbook = try PlaybookLoader.decode(
            yaml: Self.playbook(Self.step + "}"), file: "playbooks/\(name)", policy: .defaults, roles: Playbook.builtInRoles)
        #expect(playbook.id == "payout")
    }
}
