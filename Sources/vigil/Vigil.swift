import ArgumentParser
import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilHTTP
import VigilServer

/// The `vigil` command line: parse arguments, load config, hand over to VigilServer.
@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Chat-ops escalation bot for Trust & Safety incidents.",
        discussion: """
            Run `vigil serve` with no config file to try Vigil locally (127.0.0.1:8080, console channels), \
            then `vigil send '/incident open sev1 fraud Card testing spike'` in another terminal.
            """,
        subcommands: [Serve.self, Send.self, Check.self])
}

/// Prints `message` to standard error and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Vigil server.",
        discussion: """
            With no --config and no vigil.yaml in the working directory, Vigil runs in local mode: \
            it listens on 127.0.0.1:8080, keeps vigil.sqlite here, prints channel posts to this terminal, \
            and stores a generated signing secret in vigil.secret (mode 0600) for `vigil send`.
            """)

    @Option(name: .long, help: "Config file (default: ./vigil.yaml if present, else local mode).")
    var config: String?

    @Option(name: .long, help: "Listen address HOST:PORT (overrides the config).")
    var listen: String?

    @Option(name: .long, help: "Database URL, e.g. sqlite:vigil.sqlite (overrides the config).")
    var database: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let directory = FileManager.default.currentDirectoryPath
        let setup: ServeSetup
        do {
            setup = try ServeSetup.resolve(
                configPath: config, listen: listen, database: database, workingDirectory: directory,
                environment: ProcessInfo.processInfo.environment)
        } catch {
            fail("vigil serve: \(error)")
        }
        let configuration = setup.configuration
        let mode = setup.isLocalMode ? "local mode" : "config \(configuration.file ?? "")"
        let database = configuration.database.description
        let environment = AppEnvironment(
            logger: Logger(label: "vigil"),
            onListening: { port in
                var banner = "Vigil listening on http://\(configuration.listen.host):\(port) (\(mode); database \(database))"
                if setup.isLocalMode {
                    banner += "\nTry it: vigil send '/incident open sev1 fraud Card testing spike'"
                }
                // Written straight to the file descriptor: tests and scripts read it through a pipe.
                FileHandle.standardOutput.write(Data((banner + "\n").utf8))
            })
        let app: VigilApp
        do {
            app = try VigilApp(configuration: configuration, specs: setup.specs, playbooks: setup.playbooks, environment: environment)
        } catch {
            fail("vigil serve: \(error)")
        }
        try await app.run()
    }
}

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a slash command to Vigil exactly as Slack would, and print the reply.",
        discussion: "Signs with the config's slack.signing_secret, or the local-mode secret in ./vigil.secret.")

    @Option(name: .long, help: "Endpoint (default: http://LISTEN/slack/commands from the config or local mode).")
    var url: String?

    @Option(name: .long, help: "Config file (default: ./vigil.yaml if present).")
    var config: String?

    @Option(name: .long, help: "Who is typing: a name, @name or <@U123|name> (default: $USER).")
    var user: String?

    @Option(name: .long, help: "Channel name the command is typed in.")
    var channel: String = "incidents"

    @Argument(help: "The command, e.g. '/incident open sev1 fraud Card testing spike'.")
    var text: String

    func run() async throws {
        let directory = FileManager.default.currentDirectoryPath
        let environment = ProcessInfo.processInfo.environment
        var secret: String?
        var listen = ListenAddress.localDefault
        if let path = ServeSetup.configPath(given: config, workingDirectory: directory) {
            do {
                let configuration = try VigilConfiguration.load(path: path, environment: environment)
                secret = configuration.slackSigningSecret
                listen = configuration.listen
            } catch {
                fail("vigil send: \(error)")
            }
        } else {
            secret = LocalMode.existingSecret(in: directory)
        }
        guard let secret else {
            fail("vigil send: no signing secret: start `vigil serve` in this directory first (local mode), or set slack.signing_secret in the config")
        }
        let host = listen.host == "0.0.0.0" ? "127.0.0.1" : listen.host
        let client = SlashCommandClient(
            url: url ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(listen.port)/slack/commands",
            signingSecret: secret, transport: CurlHTTPClient())
        let who = SlashCommandClient.user(from: user ?? environment["USER"] ?? "you")
        do {
            let answer = try await client.send(text, user: who, channel: channel, now: Date())
            guard answer.status == 200 else { fail("vigil send: HTTP \(answer.status): \(answer.text)") }
            print(answer.text)
        } catch {
            fail("vigil send: \(error)")
        }
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the config, command specs and playbooks; errors as file:line: message, exit 1.")

    @Option(name: .long, help: "Config file (default: ./vigil.yaml if present).")
    var config: String?

    func run() async throws {
        let directory = FileManager.default.currentDirectoryPath
        let path = ServeSetup.configPath(given: config, workingDirectory: directory)
        let diagnostics = ConfigCheck.run(
            configPath: path, commandsDirectory: path == nil ? ShippedData.directory("commands", near: directory) : nil,
            playbooksDirectory: path == nil ? ShippedData.directory("playbooks", near: directory) : nil,
            environment: ProcessInfo.processInfo.environment)
        for diagnostic in diagnostics { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
        if !diagnostics.isEmpty { throw ExitCode(1) }
        print("ok: \(path ?? "local mode (no config file)"), its command specs and playbooks are valid")
    }
}
