import Foundation
import VigilCore

/// `vigil check`: validates the config file (if any), then the command specs in its `commands`
/// directory and the playbooks in its `playbooks` directory, and returns every problem found.
/// An empty result means all is well.
public enum ConfigCheck {
    /// The name `vigil serve` and `vigil check` look for when no `--config` is given.
    public static let defaultConfigName = "vigil.yaml"

    /// - Parameters:
    ///   - configPath: `--config`; when `nil`, `vigil.yaml` in the working directory if there is
    ///     one, else local mode (no config file).
    ///   - commandsDirectory: the command specs to check in local mode (default: `commands/` in
    ///     the working directory); with a config file, its `commands` key decides.
    ///   - playbooksDirectory: the playbooks to check in local mode, against the default policy
    ///     and the built-in roles (default: `playbooks/` in the working directory); with a config
    ///     file, its `playbooks` key decides and its policy and `roles:` apply. A directory that
    ///     does not exist is an error, as it is for `vigil serve`.
    ///   - environment: the values for `${VAR}`.
    ///   - workingDirectory: what relative paths are relative to; paths under it are shown relative.
    public static func run(
        configPath: String?, commandsDirectory: String? = nil, playbooksDirectory: String? = nil,
        environment: [String: String], workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let commands: String, playbooks: String
        var commandsKey: SourceLocation?
        var playbooksNotFound: Diagnostic?
        // Without a readable config its categories are unknown: checking playbooks against the
        // defaults would report mistakes that are not there.
        var policy: Policy? = .defaults
        var roles = Playbook.builtInRoles
        var zendesk: ZendeskIntakeSettings?
        if let path = configPath ?? existingDefaultConfig(in: workingDirectory) {
            let outcome = VigilConfiguration.decodeFile(path: path, environment: environment, workingDirectory: workingDirectory)
            diagnostics += outcome.diagnostics
            commands = outcome.commandsDirectory
            commandsKey = outcome.commandsKey
            playbooks = outcome.playbooksDirectory
            playbooksNotFound = notFound(playbooks, outcome: outcome, file: path)
            policy = outcome.policy
            roles = outcome.playbookRoles
            zendesk = outcome.configuration?.intake.zendesk
        } else {
            commands = ConfigPaths.resolve(commandsDirectory ?? "commands", relativeTo: workingDirectory)
            playbooks = ConfigPaths.resolve(playbooksDirectory ?? "playbooks", relativeTo: workingDirectory)
        }
        diagnostics += CommandSpecLoader.collect(directory: commands, referencedAt: commandsKey).1
        if let policy {
            let (loaded, problems) = PlaybookLoader.collect(directory: playbooks, policy: policy, roles: roles, notFound: playbooksNotFound)
            diagnostics += problems + unknownIntakeTypes(zendesk, playbooks: loaded, policy: policy)
        }
        return diagnostics.map { relative($0, to: workingDirectory) }
    }

    /// Advice about the config file that does not make it invalid, as `file:line: message`
    /// (e.g. a role entry in the older `"<@U0AVA>"` form, which still works, or a step owner
    /// that `owners:` does not map). `vigil check` prints these as warnings and still succeeds.
    /// Local mode (no config file) has none.
    public static func warnings(
        configPath: String?, environment: [String: String], workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> [Diagnostic] {
        guard let path = configPath ?? existingDefaultConfig(in: workingDirectory) else { return [] }
        let outcome = VigilConfiguration.decodeFile(path: path, environment: environment, workingDirectory: workingDirectory)
        var warnings = outcome.warnings
        if let policy = outcome.policy {
            let playbooks = PlaybookLoader.collect(directory: outcome.playbooksDirectory, policy: policy, roles: outcome.playbookRoles).0
            warnings += unmappedOwners(in: playbooks, policy: policy, reportedAt: outcome.ownersKey ?? SourceLocation(file: path, line: 0))
            warnings += unknownRoomTypes(in: policy, playbooks: playbooks, reportedAt: SourceLocation(file: path, line: 0))
        }
        return warnings.map { relative($0, to: workingDirectory) }
    }

    /// A playbooks directory that does not exist, at the config's `playbooks:` key, saying what
    /// a relative path is relative to; `nil` when the directory exists.
    private static func notFound(_ directory: String, outcome: ConfigurationDecoder.Outcome, file: String) -> Diagnostic? {
        guard !FileManager.default.fileExists(atPath: directory) else { return nil }
        let fix = "create it (empty for no playbooks)"
        guard let key = outcome.playbooksKey else {
            let place = "with no playbooks: key it is playbooks/ in the directory of \(file)"
            return Diagnostic(file: file, line: 0, "playbooks directory \(directory) does not exist (\(place)); \(fix) or set playbooks:")
        }
        let written = key.written.trimmingCharacters(in: .whitespaces)
        let relativeTo = written.hasPrefix("/") ? "" : " (playbooks: \(written) is relative to the directory of \(file))"
        return Diagnostic(
            location: key.location, message: "playbooks directory \(directory) does not exist\(relativeTo); \(fix) or correct playbooks:")
    }

    private static func existingDefaultConfig(in directory: String) -> String? {
        let path = NSString(string: directory).appendingPathComponent(defaultConfigName)
        return FileManager.default.fileExists(atPath: path) ? defaultConfigName : nil
    }

    /// `commands/open.yaml:3` rather than `/home/…/commands/open.yaml:3`.
    private static func relative(_ diagnostic: Diagnostic, to directory: String) -> Diagnostic {
        let prefix = NSString(string: directory).standardizingPath + "/"
        var shown = diagnostic
        if shown.location.file.hasPrefix(prefix) { shown.location.file.removeFirst(prefix.count) }
        shown.message = shown.message.replacingOccurrences(of: prefix, with: "")
        return shown
    }
}
