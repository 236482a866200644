import Foundation
import Testing
import VigilJSON
import VigilTestSupport

/// `vigil manifest slack|discord` as an admin runs it when registering Vigil with a platform.
@Suite struct ManifestCommandTests {
    /// A workspace whose `vigil.yaml` names the shipped specs and playbooks, plus `extra` lines.
    func workspace(_ extra: String = "") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            commands: \(Fixtures.repositoryRoot.appendingPathComponent("commands").path)
            playbooks: \(Fixtures.repositoryRoot.appendingPathComponent("playbooks").path)
            \(extra)
            """
        try config.write(to: directory.appendingPathComponent("vigil.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test func slackPrintsAManifestForThePublicURL() async throws {
        // setup
        // A secret the manifest does not need is not set here: it reads only what it prints.
        let directory = try workspace("public_url: https://vigil.example.com\nslack:\n  signing_secret: ${SLACK_SIGNING_SECRET}")
        defer { try? FileManager.default.removeItem(at: directory) }

        // MUT
        let result = try await VigilExecutable.run(["manifest", "slack"], in: directory)

        // validate
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try JSONValue.parse(result.stdout)
        let command = try #require(manifest["features"]?["slash_commands"]?.arrayValue?.first)
        #expect(command["command"] == "/incident")
        #expect(command["url"] == "https://vigil.example.com/slack/commands")
        #expect(command["should_escape"] == true)
    }

    @Test func slackWithoutPublicURLExits1NamingTheKey() async throws {
        // setup
        let directory = try workspace()
        defer { try? FileManager.default.removeItem(at: directory) }

        // MUT
        let result = try await VigilExecutable.run(["manifest", "slack", "--config", "vigil.yaml"], in: directory)

        // validate
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("vigil manifest slack: set public_url in the config"))
    }

    @Test func discordRegistersEveryShippedSpec() async throws {
        // setup: no public_url; Discord's registration does not need one.
        let directory = try workspace()
        defer { try? FileManager.default.removeItem(at: directory) }

        // MUT
        let result = try await VigilExecutable.run(["manifest", "discord"], in: directory)

        // validate
        #expect(result.status == 0, "\(result.stderr)")
        let registration = try JSONValue.parse(result.stdout)
        #expect(registration["name"] == "incident")
        let names = registration["options"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.sorted() == (try Fixtures.shippedSpecs()).map(\.name).sorted())
    }

    @Test func discordInLocalModeUsesTheShippedSpecs() async throws {
        // setup: no vigil.yaml at all.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // MUT
        let result = try await VigilExecutable.run(["manifest", "discord"], in: directory)

        // validate
        #expect(result.status == 0, "\(result.stderr)")
        let names = try JSONValue.parse(result.stdout)["options"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.sorted() == (try Fixtures.shippedSpecs()).map(\.name).sorted())
        // Printing a manifest never sets up local mode's secret.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("vigil.secret").path))
    }

    @Test func anUnknownPlatformIsRefusedNamingTheTwo() async throws {
        // setup
        let directory = try workspace("public_url: https://vigil.example.com")
        defer { try? FileManager.default.removeItem(at: directory) }

        // MUT
        let result = try await VigilExecutable.run(["manifest", "teams"], in: directory)

        // validate
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("'slack'") && result.stderr.contains("'discord'"))
    }
}
