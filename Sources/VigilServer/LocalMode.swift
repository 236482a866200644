import Foundation
import VigilConfig
import VigilCore

/// Local mode: Vigil with no config file, for trying it on one machine with no chat system.
///
/// Listens on 127.0.0.1:8080, keeps `vigil.sqlite` in the working directory, prints every channel
/// post to the terminal, and signs requests with a random secret generated once and stored 0600
/// in `vigil.secret` beside the database, where `vigil send` finds it.
public enum LocalMode {
    public static let secretFileName = "vigil.secret"
    public static let databaseFileName = "vigil.sqlite"

    /// The local-mode configuration for `directory`, creating its secret on first use.
    public static func configuration(workingDirectory directory: String) throws -> VigilConfiguration {
        let secret = try loadOrCreateSecret(in: directory)
        return VigilConfiguration(
            listen: .localDefault,
            database: .sqlite(path: (directory as NSString).appendingPathComponent(databaseFileName)),
            commandsDirectory: ShippedData.directory("commands", near: directory),
            playbooksDirectory: ShippedData.directory("playbooks", near: directory),
            slackSigningSecret: secret,
            mattermostToken: secret,
            channels: [.incidents: .console, .oncall: .console, .leads: .console],
            policy: .defaults)
    }

    /// The secret in `directory/vigil.secret`, if local mode has run there.
    public static func existingSecret(in directory: String) -> String? {
        let path = (directory as NSString).appendingPathComponent(secretFileName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func loadOrCreateSecret(in directory: String) throws -> String {
        if let secret = existingSecret(in: directory) { return secret }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        let path = (directory as NSString).appendingPathComponent(secretFileName)
        // Created with 0600 from the start, so the secret is never readable by others, even briefly.
        guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw LocalModeError(message: "could not write \(path)")
        }
        return secret
    }
}

/// Local mode could not set itself up.
public struct LocalModeError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Finds the shipped `commands/` and `playbooks/` when the config names none.
public enum ShippedData {
    /// `name` in the working directory if it exists there, else the one in the source checkout
    /// this binary was built from.
    public static func directory(_ name: String, near workingDirectory: String) -> String {
        let local = (workingDirectory as NSString).appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory), isDirectory.boolValue { return local }
        let checkout = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return checkout.appendingPathComponent(name).path
    }
}
