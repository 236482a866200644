import Foundation
import Testing
import VigilConfig

@Suite("vigil check")
struct ConfigCheckTests {
    @Test("the shipped example and commands pass")
    func shippedPasses() {
        let diagnostics = ConfigCheck.run(
            configPath: Repository.exampleConfig, environment: Repository.exampleEnvironment, workingDirectory: Repository.root)
        #expect(diagnostics == [])
    }

    @Test("config, spec and playbook problems are all reported, with paths relative to the working directory")
    func reportsEverything() throws {
        // setup
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("vigil.yaml", """
            listen: 127.0.0.1:8080
            commands: specs
            slack:
              signing_secret: ${SLACK_SIGNING_SECRET}
            categories:
              - {name: payments}
            roles:
              restricted: ["slack:U0DEE"]
            """)
        try directory.write("specs/ack.yaml", "name: ack\nsummary: Ack.\nusage: ack <id>\narguments: [{name: id, type: incidnt}]\n")
        // payments and the restricted role exist only in this config; fraud only in the defaults
        try directory.write("playbooks/01-payout.yaml", """
            id: payout
            title: Payout fraud
            summary: Payouts to a stolen account.
            applies_to: {categories: [payments, fraud]}
            steps:
              - {id: freeze, title: Freeze, owner: restricted, instructions: Freeze., due: 5x}
            """)

        // MUT: no --config, so ./vigil.yaml is found
        let diagnostics = ConfigCheck.run(configPath: nil, environment: [:], workingDirectory: directory.path)

        // validate
        #expect(diagnostics.map(\.description) == [
            "vigil.yaml:4: environment variable SLACK_SIGNING_SECRET is not set (used in slack.signing_secret)",
            #"specs/ack.yaml:4: unknown type "incidnt" for arguments[0] (did you mean "incident"?)"#,
            #"playbooks/01-payout.yaml:4: unknown category "fraud" in applies_to.categories (expected one of: payments)"#,
            #"playbooks/01-payout.yaml:6: invalid duration "5x" for steps[0].due (use e.g. 90s, 15m, 4h, 3d, 1h30m)"#,
        ])
    }

    @Test("the config's playbooks key decides the directory; a duplicate id across files is reported")
    func configuredPlaybooks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("conf/vigil.yaml", "commands: \(Repository.commands)\nplaybooks: ../sops\n")
        try directory.write("sops/01-payout.yaml", PlaybookLoaderTests.minimal("payout"))
        try directory.write("sops/payout.yaml", PlaybookLoaderTests.minimal("payout"))
        try directory.write("conf/playbooks/broken.yaml", "not: [read\n")

        let diagnostics = ConfigCheck.run(configPath: "conf/vigil.yaml", environment: [:], workingDirectory: directory.path)

        #expect(diagnostics.map(\.description) == [#"sops/payout.yaml:1: duplicate playbook id "payout" (first defined at sops/01-payout.yaml:1)"#])
    }

    @Test("local mode checks the playbooks directory it is given against the defaults and built-in roles")
    func localModePlaybooks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("sops/payout.yaml", PlaybookLoaderTests.minimal("payout").replacingOccurrences(of: "owner: lead", with: "owner: restricted"))

        let diagnostics = ConfigCheck.run(
            configPath: nil, commandsDirectory: Repository.commands, playbooksDirectory: "sops", environment: [:],
            workingDirectory: directory.path)

        #expect(diagnostics.map(\.description) == [
            #"sops/payout.yaml:6: unknown role "restricted" for steps[0].owner (expected one of: responder, lead, legal, oncall, privacy, support, engineering, comms)"#,
        ])
    }

    @Test("playbooks are not checked against a config that cannot be parsed")
    func unparsableConfigSkipsPlaybooks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("vigil.yaml", "id_prefix: TS\ncategories: [{name: payments}\n")
        try directory.write("playbooks/payout.yaml", PlaybookLoaderTests.minimal("payout", appliesTo: "{categories: [payments]}"))

        let diagnostics = ConfigCheck.run(configPath: nil, environment: [:], workingDirectory: directory.path)

        // (the commands directory falls back to commands/ beside the file, as before)
        #expect(diagnostics.map(\.description) == [
            "vigil.yaml:3: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)",
            "commands: command specs directory commands does not exist",
        ])
    }

    @Test("a commands directory that does not exist is reported at the commands key")
    func missingCommands() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("conf/vigil.yaml", "id_prefix: TS\ncommands: ../nowhere\n")
        try directory.write("conf/playbooks/.keep", "")

        let diagnostics = ConfigCheck.run(configPath: "conf/vigil.yaml", environment: [:], workingDirectory: directory.path)

        #expect(diagnostics.map(\.description) == ["conf/vigil.yaml:2: command specs directory nowhere does not exist"])
    }

    @Test("a config file that cannot be read")
    func unreadableConfig() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let diagnostics = ConfigCheck.run(
            configPath: "missing.yaml", commandsDirectory: Repository.commands, environment: [:], workingDirectory: directory.path)
        #expect(diagnostics.first?.description == "missing.yaml: cannot read the config file (no such file)")
    }

    @Test("local mode checks the commands directory it is given")
    func localMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("playbooks/.keep", "")
        let diagnostics = ConfigCheck.run(
            configPath: nil, commandsDirectory: Repository.commands, environment: [:], workingDirectory: directory.path)
        #expect(diagnostics == [])
    }
}
