import Foundation
import Testing
import VigilConfig
import VigilCore

/// Config `owners:` (who a step owner stands for) and `playbook_choice:`, decoded into the
/// policy, and the `vigil check` warning for a step owner nothing maps.
@Suite("owners: and playbook_choice:")
struct OwnersConfigTests {
    func decode(_ yaml: String) throws -> VigilConfiguration { try ConfigText.decode(yaml) }

    func diagnostics(_ yaml: String) -> [String] { ConfigText.diagnostics(yaml) }

    /// `people:`, `roles:` and `oncall:` that owner entries may name (lines 1 to 6, then a new line).
    static let directory = """
        people:
          - {name: ava, slack: U0AVA, mattermost: mm-ava}
        roles:
          legal: ["slack:U0LEGAL"]
        oncall:
          - {name: support-primary, members: ["<@U0SUP>"], shift: 1w, handoff: "2026-11-02 09:00 UTC"}

        """

    // MARK: - Decoding

    @Test("every entry form: role:, schedule:, a person (their first account, their name), platform:id, one entry without a list")
    func entryForms() throws {
        let policy = try decode(Self.directory + """
            owners:
              legal: [role:legal]
              support: [schedule:support-primary]
              lead: [ava, "slack:U0LEAD", "mattermost:mm-lead"]
              comms: "teams:29:1a2b"
            playbook_choice: 15m
            """).policy
        #expect(policy.owners == [
            "legal": [.role(.legal)],
            "support": [.schedule("support-primary")],
            "lead": [
                .user(UserRef(id: "U0AVA", name: "ava", platform: "slack")),
                .user(UserRef(id: "U0LEAD", name: "U0LEAD", platform: "slack")),
                .user(UserRef(id: "mm-lead", name: "mm-lead", platform: "mattermost")),
            ],
            "comms": [.user(UserRef(id: "29:1a2b", name: "29:1a2b", platform: "teams"))],
        ])
        #expect(policy.playbookChoice == .seconds(900))
    }

    @Test("without the keys: no owners, and a 10 minute playbook choice")
    func defaults() throws {
        let policy = try decode("id_prefix: TS\n").policy
        #expect(policy.owners.isEmpty)
        #expect(policy.playbookChoice == Policy.defaultPlaybookChoice)
        #expect(Policy.defaultPlaybookChoice == .seconds(600))
    }

    @Test("an owner may be a role roles: adds (restricted), and may override responder")
    func configRoles() throws {
        let policy = try decode("roles:\n  restricted: [\"slack:U0DEE\"]\nowners:\n  restricted: [role:restricted]\n  responder: [\"slack:U0R\"]\n").policy
        #expect(policy.owners["restricted"] == [.role(.restricted)])
        #expect(policy.owners["responder"] == [.user(UserRef(id: "U0R", name: "U0R", platform: "slack"))])
    }

    // MARK: - Mistakes

    @Test("each wrong owners: entry is reported at its line")
    func mistakes() {
        let owners = Self.directory + "owners:\n"  // owners: is line 7, its first entry line 8
        #expect(diagnostics(owners + "  suport: [role:legal]\n") == [
            #"vigil.yaml:8: unknown owner "suport" in owners (did you mean "support"?)"#,
        ])
        #expect(diagnostics(owners + "  cfo: [role:legal]\n").first?.hasPrefix(
            #"vigil.yaml:8: unknown owner "cfo" in owners (expected one of: responder, lead, legal, oncall, privacy, support"#) == true)
        #expect(diagnostics(owners + "  support: [schedule:support-secondary]\n") == [
            #"vigil.yaml:8: owners.support[0]: unknown on-call schedule "support-secondary" in "schedule:support-secondary" (expected one of: support-primary)"#,
        ])
        #expect(diagnostics("owners:\n  support: [schedule:support]\n") == [
            #"vigil.yaml:2: owners.support[0]: unknown on-call schedule "support" in "schedule:support" (oncall: defines no schedules)"#,
        ])
        #expect(diagnostics(owners + "  legal: [role:lawyer]\n") == [
            #"vigil.yaml:8: owners.legal[0]: unknown role "lawyer" in "role:lawyer" (expected one of: responder, lead, legal, restricted)"#,
        ])
        #expect(diagnostics(owners + "  lead:\n    - ava\n    - avaa\n") == [
            #"vigil.yaml:10: owners.lead[1]: "avaa" is not a person from people: (did you mean "ava"?); write a name from people:, platform:user-id (e.g. slack:U0LEAD), role:ROLE or schedule:NAME"#,
        ])
        #expect(diagnostics(owners + "  lead: [\"slak:U0LEAD\"]\n").first?.hasPrefix(
            #"vigil.yaml:8: owners.lead[0]: unknown platform "slak" in "slak:U0LEAD""#) == true)
        #expect(diagnostics(owners + "  lead: [ava, \"slack:U0AVA\", \"mattermost:mm-ava\"]\n") == [
            #"vigil.yaml:8: "slack:U0AVA" is listed twice in owners.lead"#,
            #"vigil.yaml:8: "mattermost:mm-ava" is listed twice in owners.lead"#,
        ])
        #expect(diagnostics(owners + "  legal: []\n") == [
            "vigil.yaml:8: owners.legal must list at least one schedule, role or person (or remove it)",
        ])
        #expect(diagnostics(owners + "  legal:\n") == [
            "vigil.yaml:8: owners.legal is empty (list schedules, roles or people, or remove it)",
        ])
        #expect(diagnostics("owners: [role:legal]\n") == [
            #"vigil.yaml:1: expected a mapping (key: value) for owners, found a list"#,
        ])
    }

    @Test("playbook_choice must be a duration of more than nothing", arguments: ["soon", "0m", "-5m"])
    func badPlaybookChoice(_ value: String) {
        #expect(diagnostics("id_prefix: TS\nplaybook_choice: \(value)\n") == [
            "vigil.yaml:2: invalid duration \"\(value)\" for playbook_choice (use e.g. 90s, 15m, 4h, 3d, 1h30m)",
        ])
    }

    // MARK: - vigil check warnings

    /// A playbook whose steps name `owners` in order, one step a line from line 6.
    static func playbook(owners: [String]) -> String {
        "id: takedown\ntitle: T\nsummary: S.\ncategory: compliance\nsteps:\n"
            + owners.enumerated().map { "  - {id: s\($0.offset), title: T, owner: \($0.element), instructions: Do it.}\n" }.joined()
    }

    @Test("vigil check warns once per step owner nothing maps, naming its first step; responder, oncall and roles with members are covered")
    func unmappedOwners() throws {
        // setup
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("vigil.yaml", "commands: \(Repository.commands)\nroles:\n  lead: [\"slack:U0LEAD\"]\nowners:\n  comms: [\"slack:U0COMMS\"]\n")
        try directory.write("playbooks/takedown.yaml", Self.playbook(owners: ["responder", "oncall", "lead", "comms", "legal", "support", "support", "legal"]))

        // MUT
        let warnings = ConfigCheck.warnings(configPath: "vigil.yaml", environment: [:], workingDirectory: directory.path).map(\.description)
        let errors = ConfigCheck.run(configPath: "vigil.yaml", environment: [:], workingDirectory: directory.path)

        // validate: warnings only, so vigil check still passes
        #expect(warnings == [
            #"vigil.yaml:4: owner "legal" (playbooks/takedown.yaml:10) is not in owners:, so its steps mention nobody"#,
            #"vigil.yaml:4: owner "support" (playbooks/takedown.yaml:11) is not in owners:, so its steps mention nobody"#,
        ])
        #expect(errors == [])
    }

    @Test("without owners: the warning is about the config file; a role: with no members is warned about too")
    func unmappedWithoutOwnersKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("vigil.yaml", "commands: \(Repository.commands)\n")
        try directory.write("playbooks/takedown.yaml", Self.playbook(owners: ["lead"]))
        #expect(ConfigCheck.warnings(configPath: "vigil.yaml", environment: [:], workingDirectory: directory.path).map(\.description) == [
            #"vigil.yaml: owner "lead" (playbooks/takedown.yaml:6) is not in owners:, so its steps mention nobody"#,
        ])

        try directory.write("vigil.yaml", "commands: \(Repository.commands)\nowners:\n  lead: [role:lead]\n")
        #expect(ConfigCheck.warnings(configPath: "vigil.yaml", environment: [:], workingDirectory: directory.path).map(\.description) == [
            #"vigil.yaml:3: owners.lead[0]: roles: gives lead no members, so "role:lead" mentions nobody"#,
        ])
    }

    @Test("local mode has no owner warnings")
    func localModeHasNoWarnings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("playbooks/takedown.yaml", Self.playbook(owners: ["support"]))
        #expect(ConfigCheck.warnings(configPath: nil, environment: [:], workingDirectory: directory.path) == [])
    }
}
