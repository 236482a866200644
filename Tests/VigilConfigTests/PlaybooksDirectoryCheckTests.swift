import Foundation
import Testing
import VigilConfig

/// A playbooks directory that does not exist is an error for `vigil check` (and for `vigil
/// serve`, through `PlaybookLoader.load`), where it used to be "no playbooks": the SOPs and
/// their legal clocks would be missing without a word.
@Suite("vigil check: the playbooks directory")
struct PlaybooksDirectoryCheckTests {
    func check(_ config: String, configPath: String = "vigil.yaml", in directory: TemporaryDirectory) throws -> [String] {
        try directory.write(configPath, "commands: \(Repository.commands)\n" + config)
        return ConfigCheck.run(configPath: configPath, environment: [:], workingDirectory: directory.path).map(\.description)
    }

    /// The config's lines after `commands:`, the config file, and the one diagnostic expected.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var config: String
        var configPath = "vigil.yaml"
        var expected: String
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "playbooks: naming a directory that does not exist is reported at the key, saying what it is relative to",
             config: "playbooks: ../sops\n", configPath: "conf/vigil.yaml",
             expected: "conf/vigil.yaml:2: playbooks directory sops does not exist (playbooks: ../sops is relative to the directory of conf/vigil.yaml); create it (empty for no playbooks) or correct playbooks:"),
        Case(name: "an absolute playbooks: path that does not exist", config: "playbooks: /nonexistent/vigil-playbooks\n",
             expected: "vigil.yaml:2: playbooks directory /nonexistent/vigil-playbooks does not exist; create it (empty for no playbooks) or correct playbooks:"),
        Case(name: "no playbooks: key and no playbooks/ beside the config file", config: "",
             expected: "vigil.yaml: playbooks directory playbooks does not exist (with no playbooks: key it is playbooks/ in the directory of vigil.yaml); create it (empty for no playbooks) or set playbooks:"),
    ]

    @Test(arguments: cases)
    func missing(_ testCase: Case) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try check(testCase.config, configPath: testCase.configPath, in: directory) == [testCase.expected])
    }

    @Test("an empty playbooks directory is fine: no playbooks, on purpose")
    func emptyDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("playbooks/.keep", "")
        #expect(try check("", in: directory) == [])
    }

    @Test("local mode: a playbooks directory that does not exist names where local mode looks")
    func localMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let diagnostics = ConfigCheck.run(
            configPath: nil, commandsDirectory: Repository.commands, environment: [:], workingDirectory: directory.path)
        #expect(diagnostics.map(\.description) == [
            "playbooks: playbooks directory playbooks does not exist; create it (empty for no playbooks) or set playbooks: in the config (relative to the config file's directory; with no config file, playbooks/ in the working directory, else the shipped ones)",
        ])
    }
}
