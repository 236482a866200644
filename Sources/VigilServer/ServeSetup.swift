import Foundation
import VigilConfig
import VigilCore

/// Decides what `vigil serve` runs with: a config file (given, or `vigil.yaml` in the working
/// directory) or local mode, with `--listen` and `--database` applied on top.
public struct ServeSetup: Sendable {
    public var configuration: VigilConfiguration
    public var specs: [CommandSpec]
    /// The installed playbooks, in file-name order.
    public var playbooks: [Playbook]
    /// True when no config file was found.
    public var isLocalMode: Bool

    /// The config file `vigil serve`, `send` and `check` use: `--config`, else `./vigil.yaml` if present.
    public static func configPath(given: String?, workingDirectory: String) -> String? {
        if let given { return given }
        let candidate = (workingDirectory as NSString).appendingPathComponent("vigil.yaml")
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    public static func resolve(
        configPath given: String?, listen: String?, database: String?, workingDirectory: String,
        environment: [String: String]
    ) throws -> ServeSetup {
        let path = configPath(given: given, workingDirectory: workingDirectory)
        var configuration: VigilConfiguration
        if let path {
            configuration = try VigilConfiguration.load(path: path, environment: environment)
        } else {
            // The same person `vigil send` speaks as when no --user is given.
            let localUser = SlashCommandClient.user(from: environment["USER"] ?? "you")
            configuration = try LocalMode.configuration(workingDirectory: workingDirectory, localUser: localUser)
        }
        if let listen {
            do {
                configuration.listen = try ListenAddress.parse(listen)
            } catch {
                throw SetupError("--listen: \(error)")
            }
        }
        if path == nil, !configuration.listen.isLoopback {
            throw SetupError(
                "local mode only listens on loopback (127.0.0.1), because its secret is a local convenience; write a vigil.yaml to listen on \(configuration.listen.host)")
        }
        if let database {
            do {
                configuration.database = try DatabaseLocation.parse(database, relativeTo: workingDirectory)
            } catch {
                throw SetupError("--database: \(error)")
            }
        }
        let specs = try CommandSpecLoader.load(directory: configuration.commandsDirectory)
        let playbooks = try PlaybookLoader.load(
            directory: configuration.playbooksDirectory, policy: configuration.policy, roles: configuration.playbookRoles)
        return ServeSetup(configuration: configuration, specs: specs, playbooks: playbooks, isLocalMode: path == nil)
    }
}

/// A problem with the command line itself.
public struct SetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
