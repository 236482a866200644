import ArgumentParser
import Foundation
import VigilChat
import VigilConfig
import VigilCore
import VigilServer

/// `vigil manifest slack|discord`: prints the document a platform registers `/incident` from.
struct Manifest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a platform's registration document for /incident (JSON).",
        discussion: """
            slack: the app manifest to paste into "Create New App → From an app manifest" at api.slack.com/apps, \
            with the slash command at public_url/slack/commands; it needs public_url in the config. \
            discord: the body of Discord's "create global application command" request, with the config's severities \
            as choices. Both are built from the command specs: the config's, or with no config file the shipped ones.
            """)

    /// The platforms that register commands from a document; Mattermost and Teams are set up by hand.
    enum Platform: String, CaseIterable, ExpressibleByArgument {
        case slack, discord
    }

    @Argument(help: "The platform to register with.")
    var platform: Platform

    @Option(name: .long, help: "Config file (default: ./vigil.yaml if present, else the shipped command specs).")
    var config: String?

    func run() async throws {
        let command = "vigil manifest \(platform.rawValue)"
        let directory = FileManager.default.currentDirectoryPath
        var publicURL: String?
        let specs: [CommandSpec]
        let severities: [String]
        do {
            // Only what the documents need: a ${VAR} elsewhere (a secret) may be unset here.
            if let path = ServeSetup.configPath(given: config, workingDirectory: directory) {
                let configuration = try VigilConfiguration.load(
                    path: path, sections: ["public_url", "commands", "severities", "categories"],
                    environment: ProcessInfo.processInfo.environment)
                publicURL = configuration.publicURL
                specs = try CommandSpecLoader.load(directory: configuration.commandsDirectory)
                severities = configuration.policy.severities.map(\.name)
            } else {
                // What `vigil serve` runs with no config file, without creating local mode's secret.
                specs = try CommandSpecLoader.load(directory: ShippedData.directory("commands", near: directory))
                severities = LocalMode.demoPolicy(localUser: nil).severities.map(\.name)
            }
        } catch {
            fail("\(command): \(error)")
        }
        switch platform {
        case .slack:
            guard let publicURL else {
                fail("\(command): set public_url in the config (the https address Slack reaches Vigil at)")
            }
            print(SlackManifest.document(publicURL: publicURL, specs: specs).serializedString())
        case .discord:
            do {
                print(try DiscordApplicationCommand.registration(specs: specs, severities: severities).serializedString())
            } catch {
                fail("\(command): \(error)")
            }
        }
    }
}
