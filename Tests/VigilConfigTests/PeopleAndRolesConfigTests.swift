import Foundation
import Testing
import VigilConfig
import VigilCore

/// Findings 3 and 4 of issue 10 in config: `people:` and `roles:` name identities, and a role
/// entry that is only a name is refused with its file:line.
@Suite("people: and roles:")
struct PeopleAndRolesConfigTests {
    func decode(_ yaml: String) throws -> VigilConfiguration { try ConfigText.decode(yaml) }

    func diagnostics(_ yaml: String) -> [String] { ConfigText.diagnostics(yaml) }

    @Test("people link accounts; roles take people, platform:id and the legacy Slack mention")
    func decodes() throws {
        let policy = try decode(
            """
            people:
              - {name: ava, slack: U0AVA, mattermost: 8x7kq3pa1fbuxnwq4ifxgzb3ma, discord: 80351110224678912, teams: "29:1a2b"}
            roles:
              restricted: [ava, "slack:U0DEE"]
              lead: ["<@U0LEAD>", "<@U0BOSS|boss>"]
              legal: ["mattermost:l3galxxxxxxxxxxxxxxxxxxxxx"]
            """
        ).policy
        let ava = try #require(policy.people.person(named: "ava"))
        #expect(
            ava.accounts == [
                Identity(platform: "slack", id: "U0AVA"), Identity(platform: "mattermost", id: "8x7kq3pa1fbuxnwq4ifxgzb3ma"),
                Identity(platform: "discord", id: "80351110224678912"), Identity(platform: "teams", id: "29:1a2b"),
            ])
        #expect(policy.roles.members[.restricted] == ava.accounts + [Identity(platform: "slack", id: "U0DEE")])
        #expect(policy.roles.members[.lead] == [Identity(platform: "slack", id: "U0LEAD"), Identity(platform: "slack", id: "U0BOSS")])
        #expect(policy.roles.members[.responder] == nil)
        // Ava's Mattermost account is cleared; someone merely called ava is not.
        #expect(policy.mayReadRestricted(UserRef(id: "8x7kq3pa1fbuxnwq4ifxgzb3ma", name: "a", platform: "mattermost")))
        #expect(!policy.mayReadRestricted(UserRef(id: "zzz", name: "ava", platform: "mattermost")))
        #expect(policy.has(UserRef(id: "U0BEN", name: "ben", platform: "slack"), .responder))
    }

    @Test("finding 3: a role entry that is only a name is refused, at its line", arguments: ["@dee", "dee", "DEE"])
    func nameOnlyEntriesAreRefused(_ entry: String) {
        let found = diagnostics("people:\n  - {name: ava, slack: U0AVA}\nroles:\n  restricted:\n    - ava\n    - \"\(entry)\"\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("vigil.yaml:6: roles.restricted[1]: \"\(entry)\" is only a name") == true)
        #expect(found.first?.contains("slack:U0DEE") == true)
    }

    @Test("unknown roles, platforms and people mistakes are reported with file:line")
    func mistakes() {
        #expect(
            diagnostics("roles:\n  admins: [\"slack:U1\"]\n") == [
                #"vigil.yaml:2: unknown role "admins" in roles (expected one of: responder, lead, legal, restricted)"#
            ])
        #expect(
            diagnostics("roles:\n  lead: [\"slak:U1\"]\n").first?.hasPrefix(#"vigil.yaml:2: roles.lead[0]: unknown platform "slak""#)
                == true)
        #expect(
            diagnostics("people:\n  - {name: ava}\n") == [
                "vigil.yaml:2: people[0] (ava) needs at least one account (slack, mattermost, discord, teams) or a contact (ntfy, email)"
            ])
        #expect(
            diagnostics("people:\n  - {name: ava, slack: U0AVA}\n  - {name: eve, slack: U0AVA}\n") == [
                "vigil.yaml:3: slack:U0AVA is listed for both ava and eve; an account belongs to one person"
            ])
        #expect(
            diagnostics("people:\n  - {name: ava, slack: \"@ava\"}\n") == [
                #"vigil.yaml:2: people[0].slack must be the slack user ID (e.g. U0AVA), found "@ava""#
            ])
    }

    @Test("vigil check refuses a name-only role entry with file:line and a hint")
    func checkRefusesNames() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-roles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "roles:\n  restricted: [\"<@U0AVA>\", \"@dee\"]\n".write(
            to: directory.appendingPathComponent("vigil.yaml"), atomically: true, encoding: .utf8)
        let found = ConfigCheck.run(configPath: "vigil.yaml", environment: [:], workingDirectory: directory.path).map(\.description)
        #expect(found.contains { $0.hasPrefix("vigil.yaml:2: roles.restricted[1]: \"@dee\" is only a name") && $0.contains("people:") })
    }
}

/// Every shipped command spec says who may run it, and the spec decoder checks the role.
@Suite("command spec role:")
struct CommandSpecRoleTests {
    @Test("every spec in commands/ declares role:, and only help and types are for anyone; waive is for lead or legal")
    func shippedSpecsDeclareRoles() throws {
        let directory = Repository.commands
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".yaml") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            #expect(text.split(separator: "\n").contains { $0.hasPrefix("role:") }, "\(file) declares no role:")
        }
        let specs = try CommandSpecLoader.load(directory: directory)
        #expect(specs.filter { $0.roles == [.anyone] }.map(\.name) == ["help", "types"])
        #expect(specs.first { $0.name == "waive" }?.roles == [.lead, .legal])
    }

    @Test("an unknown role in a spec is refused at its line")
    func unknownRole() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "name: ack\nsummary: Ack.\nusage: ack <id>\nrole: [lead, admin]\narguments: [{name: id, type: incident}]\n"
            .write(to: directory.appendingPathComponent("ack.yaml"), atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigurationError.self) { try CommandSpecLoader.load(directory: directory.path) }
        #expect(
            error?.diagnostics.map(\.message) == [#"unknown role "admin" (expected one of: anyone, responder, lead, legal, restricted)"#])
        #expect(error?.diagnostics.first?.location.line == 4)
    }
}

@Suite("vigil check: legacy role entries")
struct LegacyRoleEntryWarningTests {
    @Test("the older <@U0AVA> form still works, and vigil check suggests slack:U0AVA")
    func legacyFormWarns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "roles:\n  restricted:\n    - \"slack:U0DEE\"\n    - \"<@U0AVA>\"\n".write(
            to: directory.appendingPathComponent("vigil.yaml"), atomically: true, encoding: .utf8)
        let warnings = ConfigCheck.warnings(configPath: "vigil.yaml", environment: [:], workingDirectory: directory.path).map(\.description)
        #expect(
            warnings == [
                #"vigil.yaml:4: roles.restricted[1]: "<@U0AVA>" is read as "slack:U0AVA"; write it that way (or a name from people:)"#
            ])
    }
}
