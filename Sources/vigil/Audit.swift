import ArgumentParser
import Foundation
import VigilCore
import VigilServer

/// `vigil audit verify|export`: the tamper-evident history, checked and exported from the database.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check incidents' tamper-evident history (the hash chain of their events), or export one incident's.",
        discussion: """
            Every event an incident records is chained to the one before it by SHA-256, and the incident row \
            keeps the last event's number and hash. These tools re-compute the chains from the database of the \
            config (or of local mode in this directory) and never write to it. Exit status: 0 when the record \
            verifies, 1 when a chain is broken (verify), 64 for a mistake on the command line (such as an unknown \
            incident), 2 when the config or the database cannot be read.
            """,
        subcommands: [Verify.self, Export.self])

    /// Where the database is: the options both subcommands take.
    struct Source: ParsableArguments {
        @Option(name: .long, help: "Config file (default: ./vigil.yaml if present, else local mode's ./vigil.sqlite).")
        var config: String?

        @Option(name: .long, help: "Database URL, sqlite:vigil.sqlite or postgres://user:pass@host:5432/db (overrides the config).")
        var database: String?

        /// Opens the audit, or exits: 64 for a wrong option, 2 when the config or database cannot be read.
        func open(_ command: String) async -> AuditTrail {
            do {
                return try await AuditTrail.open(
                    configPath: config, database: database, workingDirectory: FileManager.default.currentDirectoryPath,
                    environment: ProcessInfo.processInfo.environment)
            } catch let error as SetupError {
                fail("\(command): \(error)", code: 64)
            } catch {
                fail("\(command): \(error)", code: 2)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-compute every incident's hash chain (or one's); exit 1 naming the first broken link.",
            discussion: """
                Prints one line when every chain verifies. A break prints the incident, the event where the chain \
                breaks, the hash expected there and the one found, and why (an event edited, a link broken, events \
                missing), and exits 1: the history was changed outside Vigil, or damaged. See "Audit trail" in the \
                README for what to do.
                """)

        @OptionGroup var source: Source

        @Option(name: .long, help: "Check only this incident (INC-7, 7 or #7).")
        var incident: String?

        func run() async throws {
            let command = "vigil audit verify"
            let audit = await source.open(command)
            let verification: AuditVerification
            let number: Int?
            do {
                number = try incident.map { text throws(UserError) in try audit.incidentNumber(text) }
                verification = try await audit.verify(incident: number)
            } catch {
                await audit.close()
                failed(command, error)
            }
            await audit.close()
            print(audit.summary(verification, incident: number))
            if verification.firstBreak != nil { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one incident's whole timeline, every event with its hashes, as JSON.",
            discussion: """
                The full record, restricted incidents included (their titles, references and notes): this is \
                an operator's and counsel's tool, run where the database is, and it checks no chat role. Keep \
                the file as carefully as the database. The document names the incident's severity, category, \
                type, state and times, and every event with its sequence, kind, actor, time, payload, previous \
                hash and hash; "chain" says whether they verify, or where the chain breaks (the export is still \
                written, with a warning on standard error).
                """)

        @OptionGroup var source: Source

        @Option(name: .long, help: "The incident to export (INC-7, 7 or #7).")
        var incident: String

        @Option(name: .long, help: "json (the only format).")
        var format: String = "json"

        @Option(name: [.customLong("output"), .customLong("out")], help: "Write to this file (replaced whole) instead of standard output.")
        var output: String?

        func run() async throws {
            let command = "vigil audit export"
            guard AuditExport.Format(rawValue: format.lowercased()) != nil else {
                let formats = AuditExport.Format.allCases.map(\.rawValue).joined(separator: ", ")
                fail("\(command): unknown --format \"\(format)\"; use \(formats)", code: 64)
            }
            let audit = await source.open(command)
            let number: Int
            let export: (json: String, chainBreak: ChainBreak?)
            do {
                number = try audit.incidentNumber(incident)
                export = try await audit.export(incident: number, now: Date())
            } catch {
                await audit.close()
                failed(command, error)
            }
            await audit.close()
            write(export.json, to: output, command: command)
            if let broken = export.chainBreak {
                let warning = "warning: \(audit.policy.displayID(number))'s chain is broken: \(broken.explanation)\n"
                FileHandle.standardError.write(Data(warning.utf8))
            }
        }
    }
}

/// Writes a document to `output` (replaced whole), or to standard output; exits 2 when it cannot.
func write(_ document: String, to output: String?, command: String) {
    guard let output else {
        FileHandle.standardOutput.write(Data(document.utf8))
        return
    }
    let target = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
    do {
        // Written beside the target and renamed into place: never half a document.
        try Data(document.utf8).write(to: target, options: .atomic)
    } catch {
        fail("\(command): cannot write \(target.path): \(error.localizedDescription)", code: 2)
    }
}

/// Exits for `error`: 64 for a mistake on the command line, 2 when the store cannot be read.
func failed(_ command: String, _ error: any Error) -> Never {
    if let error = error as? UserError { fail("\(command): \(error.message)", code: 64) }
    fail("\(command): \(error)", code: 2)
}
