import ArgumentParser
import Foundation
import VigilConfig
import VigilServer

/// `vigil status`: the health summary of `/readyz` and `/incident status`, read from the store,
/// for an operator on the box.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show whether the store answers, the outbox by channel, dead letters, and open incidents' clocks.",
        discussion: """
            Reads the database of the config (or of local mode in this directory): whether it answers \
            ("database: ok" or "unavailable", as /readyz says) and its schema version; the outbox's pending, \
            retrying and dead-lettered posts by channel and the oldest pending post's age; the newest three \
            dead letters with their last error; the open and acknowledged incidents, how many have a breached \
            clock, and the next clock due. --format json writes the same as one JSON document. Exit status: \
            0 when healthy, 1 when the store is unreachable or any post is dead-lettered, 64 for a mistake on \
            the command line (an unknown --format, a bad --database, no database there).
            """)

    /// `--config` and `--database`, as `vigil audit` takes them.
    @OptionGroup var source: Audit.Source

    @Option(name: .long, help: "text or json.")
    var format: String = "text"

    func run() async throws {
        let command = "vigil status"
        guard ["text", "json"].contains(format.lowercased()) else {
            fail("\(command): unknown --format \"\(format)\"; use text, json", code: 64)
        }
        let configuration: VigilConfiguration
        do {
            configuration = try StoreOpener.toolConfiguration(
                configPath: source.config, database: source.database, workingDirectory: FileManager.default.currentDirectoryPath,
                environment: ProcessInfo.processInfo.environment)
        } catch let error as SetupError {
            fail("\(command): \(error)", code: 64)
        } catch {
            fail("\(command): \(error)")
        }
        let report = await StatusReport.read(configuration, now: Date())
        FileHandle.standardOutput.write(Data((format.lowercased() == "json" ? report.jsonText : report.text).utf8))
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
