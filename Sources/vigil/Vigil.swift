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
            then `vigil send '/incident open sev1 card-testing Card testing spike'` in another terminal.
            """,
        subcommands: [
            Serve.self, Send.self, Check.self, Report.self, Database.self, Manifest.self, Audit.self, Holds.self, Status.self,
        ])
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

    @Option(name: .long, help: "Database URL: sqlite:vigil.sqlite or postgres://user:pass@host:5432/db (overrides the config).")
    var database: String?

    func run() async throws {
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
        // After the config is read: the format and the secrets to redact come from it.
        VigilLogging.bootstrap(configuration, environment: ProcessInfo.processInfo.environment)
        let mode = setup.isLocalMode ? "local mode" : "config \(configuration.file ?? "")"
        let database = configuration.database.description
        let environment = AppEnvironment(
            logger: Logger(label: "vigil"),
            onListening: { port in
                var banner = "Vigil listening on http://\(configuration.listen.host):\(port) (\(mode); database \(database))"
                if setup.isLocalMode {
                    banner += "\nTry it: vigil send '/incident open sev1 card-testing Card testing spike'"
                }
                // Written straight to the file descriptor: tests and scripts read it through a pipe.
                FileHandle.standardOutput.write(Data((banner + "\n").utf8))
            })
        let app: VigilApp
        do {
            app = try await VigilApp.open(
                configuration: configuration, specs: setup.specs, playbooks: setup.playbooks, environment: environment)
        } catch {
            fail("vigil serve: \(error)")
        }
        try await app.run()
    }
}

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a command to Vigil exactly as a chat platform would, and print the reply.",
        discussion: """
            Signs as the platform does: Slack with slack.signing_secret, Mattermost with mattermost.token, \
            Teams with teams.security_token, each from the config, or with the local-mode secret in ./vigil.secret. \
            Discord signs with a private key Vigil does not hold for a real application: local mode derives one, \
            and a configured application needs --discord-private-key. Only that platform's section of the config is read.
            """)

    @Option(name: .long, help: "slack, mattermost, discord or teams.")
    var platform: String = "slack"

    @Option(name: .long, help: "Vigil's address (http://host:port, the platform's path is added) or the full endpoint.")
    var url: String?

    @Option(name: .long, help: "Config file (default: ./vigil.yaml if present).")
    var config: String?

    @Option(name: .long, help: "Who is typing: a name, @name or <@ID|name> (default: $USER).")
    var user: String?

    @Option(name: .long, help: "Channel name the command is typed in.")
    var channel: String = "incidents"

    @Option(name: .long, help: "A file holding a Discord Ed25519 private key's 32-byte seed in hex (a configured Discord only).")
    var discordPrivateKey: String?

    @Argument(help: "The command, e.g. '/incident open sev1 card-testing Card testing spike'.")
    var text: String

    func run() async throws {
        let platforms = ["slack", "mattermost", "discord", "teams"]
        guard platforms.contains(platform) else {
            fail("vigil send: --platform must be one of \(platforms.joined(separator: ", ")), not \"\(platform)\"")
        }
        let directory = FileManager.default.currentDirectoryPath
        let environment = ProcessInfo.processInfo.environment
        let credentials: SlashCommandClient.Credentials
        var listen = ListenAddress.localDefault
        if let path = ServeSetup.configPath(given: config, workingDirectory: directory) {
            do {
                // Only what sending needs: a `${VAR}` elsewhere in the file may be unset here.
                let configuration = try VigilConfiguration.load(
                    path: path, sections: ["listen", platform, "commands", "severities"], environment: environment)
                listen = configuration.listen
                credentials = try SlashCommandClient.Credentials.configured(
                    configuration, platform: platform, discordKeyFile: discordPrivateKey)
            } catch {
                fail("vigil send: \(error)")
            }
        } else {
            guard let secret = LocalMode.existingSecret(in: directory) else {
                fail("vigil send: no local-mode secret here: start `vigil serve` in this directory first, or pass --config")
            }
            do {
                credentials = try SlashCommandClient.Credentials.local(secret: secret, platform: platform, workingDirectory: directory)
            } catch {
                fail("vigil send: \(error)")
            }
        }
        let host = listen.host == "0.0.0.0" ? "127.0.0.1" : listen.host
        let client = SlashCommandClient(
            url: url ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(listen.port)", credentials: credentials,
            transport: CurlHTTPClient())
        let who = SlashCommandClient.user(from: user ?? environment["USER"] ?? "you", platform: platform)
        do {
            let answer = try await client.send(text, user: who, channel: channel, now: Date())
            switch answer.status {
            case 200:
                print(answer.text)
            case 404:
                fail("vigil send: \(client.url) answered 404: does this Vigil serve \(platform)? Its config needs a \(platform): section.")
            default:
                fail("vigil send: HTTP \(answer.status)\(answer.text.isEmpty ? "" : ": " + answer.text)")
            }
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
        for warning in ConfigCheck.warnings(configPath: path, environment: ProcessInfo.processInfo.environment) {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        if !diagnostics.isEmpty { throw ExitCode(1) }
        print("ok: \(path ?? "local mode (no config file)"), its command specs and playbooks are valid")
    }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the team's figures for a period: text, markdown, CSV (one row per incident) or JSON.",
        discussion: """
            The same figures as /incident report. Reads the database of the config (or of local mode in this \
            directory) and never writes to it. The period is --period (24h, 7d, 30d, 2026-11, 2026-11-21, \
            2026-11-01..2026-11-15) or --since/--until (a day such as 2026-11-01, both days included, or a time \
            such as "2026-11-01 09:00 Europe/Paris"); the default is the last 7 days. Titles of restricted \
            incidents are left out unless --include-restricted-titles is given.
            """)

    @Option(name: .long, help: "Config file (default: ./vigil.yaml if present, else local mode's ./vigil.sqlite).")
    var config: String?

    @Option(name: .long, help: "Database URL, sqlite:vigil.sqlite or postgres://user:pass@host:5432/db (overrides the config).")
    var database: String?

    @Option(name: .long, help: "A period as in chat: 24h, 7d, 30d, 2026-11, 2026-11-21 or 2026-11-01..2026-11-15.")
    var period: String?

    @Option(name: .long, help: "Start: a day (2026-11-01) or a time (\"2026-11-01 09:00 [Zone]\").")
    var since: String?

    @Option(name: .long, help: "End: a day (included) or a time (excluded); default now.")
    var until: String?

    @Option(name: .long, help: "text, markdown, csv or json.")
    var format: String = "text"

    @Option(name: .long, help: "Write to this file (replaced whole, only once complete) instead of standard output.")
    var out: String?

    @Flag(name: .long, help: "Show the titles of restricted incidents (for people allowed to read them).")
    var includeRestrictedTitles = false

    func run() async throws {
        guard let format = ReportFormat(rawValue: format.lowercased()) else {
            fail(
                "vigil report: unknown --format \"\(format)\"; use \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))",
                code: 64)
        }
        let directory = FileManager.default.currentDirectoryPath
        let export: ReportExport
        do {
            export = try await ReportExport.open(
                configPath: config, database: database, workingDirectory: directory, environment: ProcessInfo.processInfo.environment)
        } catch {
            fail("vigil report: \(error)")
        }
        let now = Date()
        let chosen: ReportPeriod
        do {
            chosen = try ReportExport.period(period: period, since: since, until: until, now: now, timeZone: export.policy.timeZone)
        } catch {
            fail("vigil report: \(error.message)", code: 64)
        }
        do {
            if let out {
                // Written beside the target and renamed: a failed export never leaves half a file.
                let target = URL(fileURLWithPath: out, relativeTo: URL(fileURLWithPath: directory, isDirectory: true))
                let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
                guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                    fail("vigil report: cannot write \(partial.path)")
                }
                let handle = try FileHandle(forWritingTo: partial)
                do {
                    try await export.write(chosen, now: now, format: format, showsRestrictedTitles: includeRestrictedTitles) { text in
                        try handle.write(contentsOf: Data(text.utf8))
                    }
                    try handle.close()
                } catch {
                    try? handle.close()
                    try? FileManager.default.removeItem(at: partial)
                    throw error
                }
                // rename(2) replaces an existing file atomically.
                guard rename(partial.path, target.path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    try? FileManager.default.removeItem(at: partial)
                    fail("vigil report: cannot write \(target.path): \(reason)")
                }
            } else {
                try await export.write(chosen, now: now, format: format, showsRestrictedTitles: includeRestrictedTitles) { text in
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            }
        } catch {
            fail("vigil report: \(error)")
        }
    }
}

struct Database: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Database tools.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a team's whole history into a new, empty database, and verify it.",
            discussion: """
                Moves incidents, events with their hash chains, clocks, the outbox and idempotency records, e.g. \
                vigil db copy --from sqlite:vigil.sqlite --to postgres://vigil:secret@db.example.com:5432/vigil. \
                Stop every Vigil writing to the source first. The target must be empty; the copy into PostgreSQL is \
                one transaction. Afterwards every table's row count and every incident's event chain are checked \
                in the target.
                """)

        @Option(name: .long, help: "The database to copy: sqlite:PATH or postgres://…")
        var from: String

        @Option(name: .long, help: "The new, empty database: postgres://… or sqlite:PATH")
        var to: String

        func run() async throws {
            do {
                let report = try await DatabaseCopy.run(from: from, to: to, workingDirectory: FileManager.default.currentDirectoryPath)
                print(DatabaseCopy.summary(report))
            } catch {
                fail("vigil db copy: \(error)")
            }
        }
    }
}
