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

    @Test("config and spec problems are all reported, with paths relative to the working directory")
    func reportsEverything() throws {
        // setup
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("vigil.yaml", """
            listen: 127.0.0.1:8080
            commands: specs
            slack:
              signing_secret: ${SLACK_SIGNING_SECRET}
            """)
        try directory.write("specs/ack.yaml", "name: ack\nsummary: Ack.\nusage: ack <id>\narguments: [{name: id, type: incidnt}]\n")
        try directory.write("playbooks/fraud.yaml", "anything: [is skipped for now\n")

        // MUT: no --config, so ./vigil.yaml is found
        let diagnostics = ConfigCheck.run(configPath: nil, environment: [:], workingDirectory: directory.path)

        // validate
        #expect(diagnostics.map(\.description) == [
            "vigil.yaml:4: environment variable SLACK_SIGNING_SECRET is not set (used in slack.signing_secret)",
            #"specs/ack.yaml:4: unknown type "incidnt" for arguments[0] (did you mean "incident"?)"#,
        ])
    }

    @Test("a commands directory that does not exist is reported at the commands key")
    func missingCommands() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("conf/vigil.yaml", "id_prefix: TS\ncommands: ../nowhere\n")

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
        let diagnostics = ConfigCheck.run(
            configPath: nil, commandsDirectory: Repository.commands, environment: [:], workingDirectory: directory.path)
        #expect(diagnostics == [])
    }
}
