import Foundation
import Testing
import VigilConfig
import VigilCore

@Suite("playbooks/")
struct PlaybookLoaderTests {
    static let roles = Playbook.builtInRoles

    /// A playbook using every key; line numbers matter to `source`.
    static let csam = """
        # SOP TEMPLATE — comments are free
        id: csam
        title: Child safety — apparent CSAM
        summary: |
          Apparent CSAM was reported.
        applies_to:
          categories: [child-safety]
          severities: [sev1, SEV2]
        legal:
          rule: NCMEC CyberTipline report
          citation: "18 U.S.C. §2258A(a)"
          due: 24h
          from: opened
        steps:
          - id: preserve-evidence
            title: Preserve evidence
            owner: responder
            due: 1h30m
            from: opened
            instructions: |
              Hash the material.
              Do not view it again.
            requires:
              - {name: hash, description: "Hash of the reported material"}
              - name: storage_ref
                description: Where the copy is kept
            approval: two-person
            when: {severities: [sev1]}
            blocking: true
            completes_legal: false
          - id: report
            title: File the CyberTipline report
            owner: Legal
            instructions: File it.
            requires: [{name: report_number, description: CyberTipline report number}]
            blocking: yes
            completes_legal: true
        """

    /// A minimal valid playbook for `id` (which must not be a category name: it is the type).
    static func minimal(_ id: String, appliesTo: String = "{categories: [fraud]}") -> String {
        "id: \(id)\ntitle: \(id)\nsummary: \(id).\napplies_to: \(appliesTo)\nsteps:\n  - {id: one, title: One, owner: lead, instructions: Do it.}\n"
    }

    // MARK: - Decoding

    @Test("a playbook using every key is decoded as written, names in the policy's spelling")
    func everyField() throws {
        // setup
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("playbooks/03-csam.yaml", Self.csam)

        // MUT
        let playbooks = try PlaybookLoader.load(directory: directory.subdirectory("playbooks"), policy: .defaults, roles: Self.roles)

        // validate
        #expect(playbooks == [Playbook(
            id: "csam", title: "Child safety — apparent CSAM", summary: "Apparent CSAM was reported.",
            appliesTo: IncidentMatch(categories: ["child-safety"], severities: ["sev1", "sev2"]),
            legal: LegalClock(rule: "NCMEC CyberTipline report", citation: "18 U.S.C. §2258A(a)", due: .seconds(86_400), from: .opened),
            steps: [
                PlaybookStep(
                    id: "preserve-evidence", title: "Preserve evidence", instructions: "Hash the material.\nDo not view it again.",
                    owner: "responder", due: .seconds(5_400), dueFrom: .opened,
                    requires: [
                        EvidenceField(name: "hash", description: "Hash of the reported material"),
                        EvidenceField(name: "storage_ref", description: "Where the copy is kept"),
                    ],
                    twoPersonApproval: true, when: IncidentMatch(severities: ["sev1"]), blocking: true, completesLegal: false,
                    source: SourceLocation(file: file, line: 15)),
                PlaybookStep(
                    id: "report", title: "File the CyberTipline report", instructions: "File it.", owner: "legal",
                    requires: [EvidenceField(name: "report_number", description: "CyberTipline report number")],
                    blocking: true, completesLegal: true, source: SourceLocation(file: file, line: 31)),
            ],
            source: SourceLocation(file: file, line: 2))])
    }

    @Test("decode(yaml:) gives the same playbook for one file's text")
    func decodeText() throws {
        let playbook = try PlaybookLoader.decode(yaml: Self.csam, file: "playbooks/csam.yaml", policy: .defaults, roles: Self.roles)
        #expect(playbook.id == "csam")
        #expect(playbook.steps.map(\.id) == ["preserve-evidence", "report"])
        #expect(playbook.source == SourceLocation(file: "playbooks/csam.yaml", line: 2))
        #expect(playbook.legal?.from == .opened)
    }

    @Test("defaults: type is the id, no aliases or keywords, not restricted; from known, no due, no approval, not blocking; legal from known")
    func defaults() throws {
        let yaml = Self.minimal("payout") + "legal: {rule: R, citation: C, due: 3d}\n"
        let playbook = try PlaybookLoader.decode(yaml: yaml, file: "payout.yaml", policy: .defaults, roles: Self.roles)
        #expect(playbook.appliesTo == IncidentMatch(categories: ["fraud"]))
        #expect(playbook.type == "payout")
        #expect(playbook.aliases == [] && playbook.keywords == [] && !playbook.restricted)
        #expect(playbook.legal == LegalClock(rule: "R", citation: "C", due: .seconds(259_200), from: .known))
        #expect(playbook.steps == [PlaybookStep(
            id: "one", title: "One", instructions: "Do it.", owner: "lead", source: SourceLocation(file: "payout.yaml", line: 6))])
    }

    @Test("with category:, applies_to may be empty or left out")
    func appliesToNull() throws {
        for appliesTo in ["applies_to:", "applies_to: {}", "category: fraud", "category: Fraud"] {
            let yaml = Self.minimal("payout").replacingOccurrences(of: "applies_to: {categories: [fraud]}", with: appliesTo)
                + (appliesTo.hasPrefix("category") ? "" : "category: fraud\n")
            let playbook = try PlaybookLoader.decode(yaml: yaml, file: "payout.yaml", policy: .defaults, roles: Self.roles)
            #expect(playbook.appliesTo == IncidentMatch(categories: ["fraud"]), "\(appliesTo)")
        }
    }

    @Test("a step owner may be a role the caller adds (config roles: restricted)")
    func extraRoles() throws {
        let yaml = Self.minimal("payout").replacingOccurrences(of: "owner: lead", with: "owner: restricted")
        let roles = VigilConfiguration(
            database: .sqlite(path: "/x"), commandsDirectory: "/c", playbooksDirectory: "/p", roleNames: ["restricted"]).playbookRoles
        #expect(roles == Playbook.builtInRoles + ["restricted"])
        #expect(try PlaybookLoader.decode(yaml: yaml, file: "payout.yaml", policy: .defaults, roles: roles).steps[0].owner == "restricted")
        #expect(throws: ConfigurationError.self) {
            try PlaybookLoader.decode(yaml: yaml, file: "payout.yaml", policy: .defaults, roles: Self.roles)
        }
    }

    // MARK: - The directory

    @Test("files load in file-name order, which orders the candidates of a category")
    func fileNameOrder() throws {
        // setup: zz- sorts last; 02- before 10- only because of the zero
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("zz-harassment.yaml", Self.minimal("zz-harassment", appliesTo: "{categories: [moderation]}"))
        try directory.write("10-payment-fraud.yaml", Self.minimal("payment-fraud", appliesTo: "{categories: [fraud]}"))
        try directory.write("02-account-takeover.yaml", Self.minimal("account-takeover", appliesTo: "{categories: [fraud], severities: [sev1]}"))
        try directory.write("csam.yml", Self.minimal("csam", appliesTo: "{categories: [child-safety]}"))
        try directory.write("README.md", "Not a playbook.\n")
        try directory.write(".draft.yaml", "not: [even yaml\n")

        // MUT
        let playbooks = try PlaybookLoader.load(directory: directory.path, policy: .defaults, roles: Self.roles)

        // validate
        #expect(playbooks.map(\.id) == ["account-takeover", "payment-fraud", "csam", "zz-harassment"])
        let catalog = PlaybookCatalog(playbooks)
        #expect(catalog.candidates(category: "fraud", severity: "sev1").map(\.id) == ["account-takeover", "payment-fraud"])
        #expect(catalog.candidates(category: "fraud", severity: "sev2").map(\.id) == ["payment-fraud"])
        #expect(catalog.candidates(category: "moderation", severity: "sev3").map(\.id) == ["zz-harassment"])
    }

    @Test("an empty playbooks directory is no playbooks; one that does not exist is an error naming it")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try PlaybookLoader.load(directory: directory.path, policy: .defaults, roles: Self.roles) == [])
        let missing = directory.subdirectory("playbooks")
        let error = #expect(throws: ConfigurationError.self) {
            try PlaybookLoader.load(directory: missing, policy: .defaults, roles: Self.roles)
        }
        #expect(error?.description.hasPrefix("\(missing): playbooks directory \(missing) does not exist; create it") == true)
        #expect(error?.description.contains("relative to the config file's directory") == true)
    }

    @Test("problems across files: a duplicate id, an unreadable file, every file reported")
    func acrossFiles() throws {
        // setup
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("01-payout.yaml", Self.minimal("payout"))
        try directory.write("02-doxxing.yaml", Self.minimal("doxxing").replacingOccurrences(of: "owner: lead", with: "owner: lawyer"))
        try directory.write("payout.yaml", "# the same id again\n" + Self.minimal("payout"))
        try Data([0x69, 0x64, 0x3A, 0x20, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: directory.path + "/latin1.yaml"))

        // MUT
        let error = #expect(throws: ConfigurationError.self) {
            try PlaybookLoader.load(directory: directory.path, policy: .defaults, roles: Self.roles)
        }

        // validate
        let root = directory.path
        #expect(error?.diagnostics.map(\.description) == [
            #"\#(root)/02-doxxing.yaml:6: unknown role "lawyer" for steps[0].owner (expected one of: responder, lead, legal, oncall, privacy, support, engineering, comms)"#,
            "\(root)/latin1.yaml: cannot read the playbook (not UTF-8 text)",
            #"\#(root)/payout.yaml:2: duplicate playbook id "payout" (first defined at \#(root)/01-payout.yaml:1)"#,
        ])
    }

    @Test("a playbooks path that is a file")
    func directoryIsAFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("playbooks", "")
        let error = #expect(throws: ConfigurationError.self) {
            try PlaybookLoader.load(directory: file, policy: .defaults, roles: Self.roles)
        }
        #expect(error?.description == "\(file): the playbooks directory is a file")
    }

    // MARK: - The shipped playbooks

    static let shippedIDs = [
        "account-takeover", "payment-fraud", "impersonation", "harassment", "doxxing", "ncii-removal", "threat-to-life", "csam",
        "regulator-order", "le-emergency-disclosure", "tco-removal", "copyright-notice", "data-breach",
    ]

    @Test("every shipped playbook loads with no diagnostics against the default policy and roles")
    func shippedPlaybooks() throws {
        // MUT
        let playbooks: [Playbook]
        do {
            playbooks = try PlaybookLoader.load(directory: Repository.playbooks, policy: .defaults, roles: Self.roles)
        } catch {
            Issue.record("shipped playbooks have problems:\n\(error)")
            return
        }

        // validate
        #expect(playbooks.count >= 13, "expected at least the 13 shipped playbooks in \(Repository.playbooks)")
        let missing = Self.shippedIDs.filter { id in !playbooks.contains { $0.id == id } }
        #expect(missing == [], "shipped playbooks missing from \(Repository.playbooks)")
        for playbook in playbooks {
            #expect(playbook.steps.allSatisfy { !$0.instructions.isEmpty }, "\(playbook.id)")
        }
    }
}
