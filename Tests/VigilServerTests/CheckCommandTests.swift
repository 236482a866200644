import Foundation
import Testing
import VigilTestSupport

/// `vigil check` as the program manager runs it before a deploy.
@Suite struct CheckCommandTests {
    static let secrets = ["SLACK_SIGNING_SECRET": "s", "MATTERMOST_TOKEN": "t"]

    func workspace() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func theShippedExampleConfigPasses() async throws {
        let example = Fixtures.repositoryRoot.appendingPathComponent("vigil.example.yaml")
        let result = try await VigilExecutable.run(["check", "--config", example.path], in: Fixtures.repositoryRoot, environment: Self.secrets)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok:"))
    }

    @Test func aBadDurationIsReportedAtItsLineAndExits1() async throws {
        let directory = try workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let example = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("vigil.example.yaml"), encoding: .utf8)
        let commands = Fixtures.repositoryRoot.appendingPathComponent("commands").path
        let broken = example.replacingOccurrences(of: "ack: 30m", with: "ack: 30x")
            .replacingOccurrences(of: "commands: commands", with: "commands: \(commands)")
        try broken.write(to: directory.appendingPathComponent("vigil.yaml"), atomically: true, encoding: .utf8)
        let line = broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("ack: 30x") }! + 1
        let result = try await VigilExecutable.run(["check"], in: directory, environment: Self.secrets)
        #expect(result.status == 1)
        #expect(result.stderr.contains("vigil.yaml:\(line): invalid duration \"30x\" for severities[1].ack"))
    }

    @Test func localModeChecksTheShippedSpecs() async throws {
        let directory = try workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await VigilExecutable.run(["check"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
    }
}
