import Foundation
import Testing
import VigilConfig

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "vigil-config-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` (which may contain subdirectories) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func subdirectory(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The repository checkout these tests were built from: shipped `commands/` and example config.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var commands: String { root + "/commands" }
    static var playbooks: String { root + "/playbooks" }
    static var exampleConfig: String { root + "/vigil.example.yaml" }
    static let exampleEnvironment = ["SLACK_SIGNING_SECRET": "8f14e45fceea167a", "MATTERMOST_TOKEN": "mm-token-1"]
}

/// `vigil.yaml` text decoded as the file `vigil.yaml` in `/srv/vigil`, for tests of a few keys.
enum ConfigText {
    static func decode(_ yaml: String) throws -> VigilConfiguration {
        try VigilConfiguration.decode(yaml: yaml, file: "vigil.yaml", directory: "/srv/vigil", environment: [:])
    }

    /// Each problem as `file:line: message`; an issue is recorded when there is none.
    static func diagnostics(_ yaml: String) -> [String] {
        let error = #expect(throws: ConfigurationError.self) { try decode(yaml) }
        return error?.diagnostics.map(\.description) ?? []
    }
}

/// One mistake in a playbook and the exact `file:line: message`s it produces.
struct PlaybookCase: CustomTestStringConvertible, Sendable {
    var name: String
    var yaml: String
    var expected: [String]
    var file = "playbooks/payout.yaml"
    var testDescription: String { name }
}
