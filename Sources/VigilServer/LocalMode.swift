import Foundation
import VigilChat
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
    ///
    /// - Parameter localUser: the person `vigil send` speaks as by default (`$USER`): local mode
    ///   makes them the one member of an on-call schedule, the lead, counsel and cleared for
    ///   restricted incidents, so that every part of Vigil can be tried alone.
    public static func configuration(workingDirectory directory: String, localUser: UserRef? = nil) throws -> VigilConfiguration {
        let secret = try loadOrCreateSecret(in: directory)
        return VigilConfiguration(
            listen: .localDefault,
            database: .sqlite(path: (directory as NSString).appendingPathComponent(databaseFileName)),
            commandsDirectory: ShippedData.directory("commands", near: directory),
            playbooksDirectory: ShippedData.directory("playbooks", near: directory),
            chatPlatforms: [
                .slack(signingSecret: secret), .mattermost(token: secret),
                .discord(
                    publicKey: LocalPlatformKeys.discordSigner(secret: secret).publicKey,
                    applicationID: LocalPlatformKeys.discordApplicationID),
                .teams(securityToken: LocalPlatformKeys.teamsToken(secret: secret)),
            ],
            channels: [.incidents: .console, .oncall: .console, .leads: .console],
            policy: demoPolicy(localUser: localUser))
    }

    /// The built-in policy with everything switched on: warnings at 50% and 90% and repeated
    /// breach alerts, a one-person on-call schedule, three escalation levels that escalate on
    /// their own, and the local user holding every role and owning every step.
    public static func demoPolicy(localUser: UserRef?) -> Policy {
        var policy = Policy.defaults
        let repeats: [Duration] = [.seconds(10 * 60), .seconds(3600), .seconds(86_400)]
        for index in policy.severities.indices {
            policy.severities[index].warn = [0.5, 0.9]
            policy.severities[index].repeat = repeats[min(index, repeats.count - 1)]
        }
        guard let user = localUser.map({ $0.on("slack") }), let identity = user.identity else { return policy }
        let schedule = OncallSchedule(
            name: "local", members: [user], shift: .seconds(7 * 86_400),
            handoff: DateComponents(year: 2026, month: 1, day: 5, hour: 9, minute: 0), timeZone: .gmt)
        policy.oncall = [schedule]
        policy.escalationLevels = [
            EscalationLevel(name: "responders", notify: [.schedule("local")]),
            EscalationLevel(name: "lead", notify: [.user(user)], after: .seconds(15 * 60)),
            EscalationLevel(name: "head", notify: [.user(user)], after: .seconds(30 * 60)),
        ]
        policy.escalationRepeats = 2
        policy.roles = RoleAssignments([.restricted: [identity], .lead: [identity], .legal: [identity]])
        // One person on every platform `vigil send` speaks for, so the roles hold on each.
        policy.people = PeopleDirectory([
            Person(
                name: user.name,
                accounts: [identity]
                    + ["mattermost", "discord", "teams"].map {
                        Identity(platform: $0, id: SlashCommandClient.localID(name: user.name, platform: $0))
                    })
        ])
        for owner in Playbook.builtInRoles where owner != "responder" && owner != "oncall" {
            policy.owners[owner] = [.schedule("local")]
        }
        return policy
    }

    /// The secret in `directory/vigil.secret`, if local mode has run there.
    public static func existingSecret(in directory: String) -> String? {
        let path = (directory as NSString).appendingPathComponent(secretFileName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func loadOrCreateSecret(in directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(secretFileName)
        if let secret = existingSecret(in: directory) {
            // A secret copied in or left by an older Vigil may be readable by others: narrow it.
            try narrowToOwner(path)
            return secret
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        // An empty file holds no secret; replace it rather than fail on it.
        if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
        try createPrivateFile(path, contents: secret + "\n")
        return secret
    }

    /// Writes a new file that is 0600 from the moment it exists, whatever the umask: created with
    /// that mode and `fchmod`ed before a byte is written. (`FileManager.createFile` writes a
    /// temporary file with the default mode and changes the mode afterwards.)
    static func createPrivateFile(_ path: String, contents: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LocalModeError(message: "could not create \(path): \(lastError())") }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else { throw LocalModeError(message: "could not make \(path) private: \(lastError())") }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw LocalModeError(message: "could not write \(path): \(lastError())") }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw LocalModeError(message: "could not write \(path): \(lastError())") }
    }

    /// Removes group and other permissions from an existing file.
    static func narrowToOwner(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else { throw LocalModeError(message: "could not read \(path): \(lastError())") }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 != 0 else { return }
        guard chmod(path, mode & 0o700) == 0 else { throw LocalModeError(message: "could not make \(path) private: \(lastError())") }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
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
