import Foundation
import Testing
import VigilConfig
import VigilCore

/// The incident-type keys of a playbook (`type`, `aliases`, `category`, `keywords`,
/// `restricted`), a step's `after` and `from: start`, and the `vigil check` diagnostics they
/// bring, each at its file:line.
@Suite("playbook types, categories and step order")
struct PlaybookTypeTests {
    static let roles = Playbook.builtInRoles

    /// A playbook using every new key; line numbers matter to `source`.
    static let tco = """
        id: tco-removal
        type: tco
        aliases: [terrorist-content, tco-order]
        title: TCO removal order
        summary: A removal order arrived.
        category: Compliance
        applies_to: {severities: [sev1, sev2]}
        keywords: [Terrorist, "removal order "]
        restricted: true
        legal: {rule: TCO removal order, citation: "Regulation (EU) 2021/784 Art. 3(3)", due: 1h, from: known}
        steps:
          - {id: assess, title: Assess the order, owner: legal, instructions: Assess it., due: 30m, from: start}
          - {id: remove, title: Remove the content, owner: responder, instructions: Remove it., after: assess, completes_legal: true}
          - {id: confirm, title: Confirm removal, owner: comms, instructions: Confirm it., after: [assess, remove]}
        """

    func decode(_ yaml: String, file: String = "playbooks/tco-removal.yaml", policy: Policy = .defaults) throws -> Playbook {
        try PlaybookLoader.decode(yaml: yaml, file: file, policy: policy, roles: Self.roles)
    }

    // MARK: - Decoding

    @Test("every new key is decoded into the model: type, aliases, category, keywords lowercased, restricted, after, from: start")
    func newKeys() throws {
        let file = "playbooks/tco-removal.yaml"
        let playbook = try decode(Self.tco)
        #expect(playbook == Playbook(
            id: "tco-removal", type: "tco", aliases: ["terrorist-content", "tco-order"], title: "TCO removal order",
            summary: "A removal order arrived.", appliesTo: IncidentMatch(categories: ["compliance"], severities: ["sev1", "sev2"]),
            keywords: ["terrorist", "removal order"], restricted: true,
            legal: LegalClock(rule: "TCO removal order", citation: "Regulation (EU) 2021/784 Art. 3(3)", due: .seconds(3_600)),
            steps: [
                PlaybookStep(
                    id: "assess", title: "Assess the order", instructions: "Assess it.", owner: "legal", due: .seconds(1_800),
                    dueFrom: .start, source: SourceLocation(file: file, line: 12)),
                PlaybookStep(
                    id: "remove", title: "Remove the content", instructions: "Remove it.", owner: "responder", completesLegal: true,
                    after: ["assess"], source: SourceLocation(file: file, line: 13)),
                PlaybookStep(
                    id: "confirm", title: "Confirm removal", instructions: "Confirm it.", owner: "comms", after: ["assess", "remove"],
                    source: SourceLocation(file: file, line: 14)),
            ],
            source: SourceLocation(file: file, line: 1)))
        #expect(playbook.category == "compliance")
        #expect(playbook.typeWords == ["tco", "terrorist-content", "tco-order"])
    }

    @Test("the older applies_to: {categories: [x]} with one category means the same as category: x")
    func legacyCategory() throws {
        let modern = try decode(Self.tco)
        let legacy = try decode(Self.tco
            .replacingOccurrences(of: "category: Compliance\n", with: "")
            .replacingOccurrences(of: "applies_to: {severities:", with: "applies_to: {categories: [compliance], severities:"))
        #expect(legacy.appliesTo == modern.appliesTo)
        #expect(legacy.category == "compliance")
    }

    @Test("types and aliases may not be severity or category names, whatever their case in the config")
    func collisionsIgnoreCase() {
        let policy = Policy(severities: [Severity(name: "P1")], categories: [VigilCore.Category(name: "Abuse")])
        let yaml = "id: spam\ntype: p1\naliases: [abuse]\ncategory: abuse\ntitle: Spam\nsummary: Spam.\nsteps:\n  - {id: a, title: A, owner: lead, instructions: A.}\n"
        let error = #expect(throws: ConfigurationError.self) { try decode(yaml, file: "spam.yaml", policy: policy) }
        #expect(error?.diagnostics.map(\.description) == [
            "spam.yaml:2: type \"p1\" is also the name of the severity P1; `open` could not tell them apart",
            "spam.yaml:3: alias \"abuse\" is also the name of the category Abuse; `open` could not tell them apart",
        ])
    }

    // MARK: - Across files

    @Test("a type or alias another playbook already has is reported at its line, naming both playbooks")
    func collisionsAcrossFiles() throws {
        // setup
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func playbook(_ id: String, _ words: String) -> String {
            "id: \(id)\n\(words)category: compliance\ntitle: T\nsummary: S.\nsteps:\n  - {id: a, title: A, owner: lead, instructions: A.}\n"
        }
        try directory.write("01-tco-removal.yaml", playbook("tco-removal", "type: tco\naliases: [terrorist-content]\n"))
        try directory.write("02-terror.yaml", playbook("terror", "type: terrorist-content\n"))
        try directory.write("03-tco.yaml", playbook("tco", ""))
        try directory.write("04-order.yaml", playbook("order", "aliases: [removal, tco]\n"))

        // MUT
        let error = #expect(throws: ConfigurationError.self) {
            try PlaybookLoader.load(directory: directory.path, policy: .defaults, roles: Self.roles)
        }

        // validate
        let root = directory.path
        #expect(error?.diagnostics.map(\.description) == [
            "\(root)/02-terror.yaml:2: type \"terrorist-content\" of playbook terror is already an alias of playbook tco-removal (\(root)/01-tco-removal.yaml:3)",
            "\(root)/03-tco.yaml:1: type \"tco\" of playbook tco is already the type of playbook tco-removal (\(root)/01-tco-removal.yaml:2)",
            "\(root)/04-order.yaml:2: alias \"tco\" of playbook order is already the type of playbook tco-removal (\(root)/01-tco-removal.yaml:2)",
        ])
    }

    // MARK: - Diagnostics in one file

    typealias Case = PlaybookCase

    /// Lines 1 to 4 of a valid playbook for `payout.yaml` (the file `Case` defaults to).
    static let head = "id: payout\ntitle: Payout fraud\nsummary: Payouts to a stolen account.\ncategory: fraud\n"

    /// `head`, then `extra` (lines 5, …), `steps:` and one step per element.
    static func playbook(_ steps: String..., extra: String = "") -> String {
        head + extra + "steps:\n" + steps.map { "  - \($0)\n" }.joined()
    }

    static let step = "{id: freeze, title: Freeze payouts, owner: responder, instructions: Freeze them."
    static func step(_ id: String, _ more: String = "") -> String { "{id: \(id), title: T, owner: lead, instructions: Do it.\(more)}" }

    static let file = "playbooks/payout.yaml"
    static let cases: [Case] = [
        // Type words
        Case(name: "type not a word", yaml: playbook(step + "}", extra: "type: TCO\n"),
             expected: ["\(file):5: type \"TCO\" must be lowercase letters, digits or -, starting with a letter or digit"]),
        Case(name: "alias not a word", yaml: playbook(step + "}", extra: "aliases: [tco, Terror Content]\n"),
             expected: ["\(file):5: alias \"Terror Content\" must be lowercase letters, digits or -, starting with a letter or digit"]),
        Case(name: "alias that is the type", yaml: playbook(step + "}", extra: "type: tco\naliases: [tco]\n"),
             expected: ["\(file):6: alias \"tco\" is the playbook's type already"]),
        Case(name: "alias listed twice", yaml: playbook(step + "}", extra: "aliases: [tco,\n  tco]\n"),
             expected: ["\(file):6: alias \"tco\" is listed twice in aliases"]),
        Case(name: "type that is a category", yaml: playbook(step + "}", extra: "type: moderation\n"),
             expected: ["\(file):5: type \"moderation\" is also the name of the category moderation; `open` could not tell them apart"]),
        Case(name: "alias that is a severity", yaml: playbook(step + "}", extra: "aliases: [sev2]\n"),
             expected: ["\(file):5: alias \"sev2\" is also the name of the severity sev2; `open` could not tell them apart"]),
        Case(name: "an id that is a category, with no type:",
             yaml: playbook(step + "}").replacingOccurrences(of: "id: payout", with: "id: compliance")
                .replacingOccurrences(of: "category: fraud", with: "category: compliance"),
             expected: ["playbooks/compliance.yaml:1: type \"compliance\" (the playbook id, as there is no type:) is also the name of the category compliance; `open` could not tell them apart (add type: with another word)"],
             file: "playbooks/compliance.yaml"),

        // Category
        Case(name: "unknown category", yaml: playbook(step + "}").replacingOccurrences(of: "category: fraud", with: "category: fruad"),
             expected: ["\(file):4: unknown category \"fruad\" for category (did you mean \"fraud\"?)"]),
        Case(name: "category given twice", yaml: playbook(step + "}", extra: "applies_to:\n  categories: [fraud]\n"),
             expected: ["\(file):6: the category is given twice, by category: and by applies_to.categories; remove applies_to.categories"]),
        Case(name: "two categories in applies_to",
             yaml: playbook(step + "}").replacingOccurrences(of: "category: fraud", with: "applies_to: {categories: [fraud, compliance]}"),
             expected: ["\(file):4: applies_to.categories names 2 categories, but a playbook has exactly one: write category: with one of them (and a playbook per category)"]),
        Case(name: "no category", yaml: playbook(step + "}").replacingOccurrences(of: "category: fraud\n", with: ""),
             expected: ["\(file):1: missing required key \"category\" (add category: with one of fraud, moderation, compliance or child-safety)"]),
        Case(name: "applies_to that names no category",
             yaml: playbook(step + "}").replacingOccurrences(of: "category: fraud", with: "applies_to: {categories: [], severities: [sev1]}"),
             expected: ["\(file):1: missing required key \"category\" (add category: with one of fraud, moderation, compliance or child-safety)"]),

        // Keywords and restricted
        Case(name: "empty and repeated keywords", yaml: playbook(step + "}", extra: "keywords: [Removal Order, \"  \", removal order]\n"),
             expected: ["\(file):5: keywords[1] is empty", "\(file):5: keyword \"removal order\" is listed twice in keywords"]),
        Case(name: "keywords not a list", yaml: playbook(step + "}", extra: "keywords: removal\n"),
             expected: ["\(file):5: expected a list for keywords, found \"removal\""]),
        Case(name: "restricted not a boolean", yaml: playbook(step + "}", extra: "restricted: maybe\n"),
             expected: ["\(file):5: expected true or false for restricted, found \"maybe\""]),

        // after
        Case(name: "after naming no step, close to one", yaml: playbook(step("freeze"), step("notify", ", after: [frezee]")),
             expected: ["\(file):7: steps[1].after names \"frezee\", which is not a step of this playbook (did you mean \"freeze\"?)"]),
        Case(name: "after naming no step, far from any", yaml: playbook(step("freeze"), step("notify", ", after: [legal-review]")),
             expected: ["\(file):7: steps[1].after names \"legal-review\", which is not a step of this playbook (expected one of: freeze)"]),
        Case(name: "a step after itself", yaml: playbook(step("freeze", ", after: [freeze]")),
             expected: ["\(file):6: steps[0].after lists the step itself (\"freeze\"); a step cannot wait for itself"]),
        Case(name: "after listing a step twice", yaml: playbook(step("freeze"), step("notify", ", after: [freeze, freeze]")),
             expected: ["\(file):7: \"freeze\" is listed twice in steps[1].after"]),
        Case(name: "two steps after each other", yaml: playbook(step("freeze", ", after: notify"), step("notify", ", after: [freeze]")),
             expected: ["\(file):6: steps[0].after makes a cycle: freeze → notify → freeze (each waits for the next, so none of them can open)"]),
        Case(name: "a cycle of three, reported once at its first step",
             yaml: playbook(step("a"), step("b", ", after: [a, d]"), step("c", ", after: [b]"), step("d", ", after: [c]")),
             expected: ["\(file):7: steps[1].after makes a cycle: b → d → c → b (each waits for the next, so none of them can open)"]),

        // Clocks and steps per severity
        Case(name: "legal clock from start", yaml: playbook(step + "}", extra: "legal: {rule: R, citation: C, due: 1d, from: start}\n"),
             expected: ["\(file):5: legal.from must be known or opened, found \"start\" (start is for steps: when the step itself opens)"]),
        Case(name: "severities with no step",
             yaml: playbook(step + ", when: {severities: [sev1]}}", extra: "applies_to: {severities: [sev1, sev2, sev3]}\n"),
             expected: ["\(file):6: playbook payout has no step for sev2 or sev3 incidents (every step's when leaves them out; widen a step's when, or limit applies_to.severities)"]),
    ]

    @Test(arguments: cases)
    func mistake(_ testCase: Case) {
        let error = #expect(throws: ConfigurationError.self) { try decode(testCase.yaml, file: testCase.file) }
        #expect(error?.diagnostics.map(\.description) == testCase.expected)
    }

    @Test("steps waiting for others without a cycle, and a when that leaves no severity bare, pass")
    func validOrder() throws {
        let yaml = Self.playbook(
            Self.step("a"), Self.step("b", ", after: [a]"), Self.step("c", ", after: [a, b], when: {severities: [sev1]}"),
            Self.step("d", ", when: {severities: [sev2, sev3]}"))
        #expect(try decode(yaml, file: Self.file).steps.map(\.after) == [[], ["a"], ["a", "b"], []])
    }
}
