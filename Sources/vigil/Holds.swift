import ArgumentParser
import Foundation
import VigilCore
import VigilServer

/// `vigil holds`: the evidence-preservation ledger, exported from the database.
struct Holds: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the evidence-preservation ledger: what completed steps preserved, where, and until when.",
        discussion: """
            One entry per preserving step done (a playbook step with preserve:), earliest release first: the \
            incident, what was kept and where (the references the step recorded, and a hash if one was given), \
            the rule, who preserved it and when, the date it may be released, and the incident's legal hold if one \
            stands (then nothing is released, whatever the date). Read from the incidents' hash-chained events, as \
            `vigil audit verify` checks them; never writes. Exit status: 0, 64 for a mistake on the command line, \
            2 when the config or the database cannot be read.
            """)

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case csv, json
    }

    @OptionGroup var source: Audit.Source

    @Option(name: .long, help: "csv or json.")
    var format: String = "csv"

    @Option(name: [.customLong("output"), .customLong("out")], help: "Write to this file (replaced whole) instead of standard output.")
    var output: String?

    func run() async throws {
        let command = "vigil holds"
        guard let format = Format(rawValue: format.lowercased()) else {
            fail("\(command): unknown --format \"\(format)\"; use csv or json", code: 64)
        }
        let audit = await source.open(command)
        let entries: [PreservationEntry]
        do {
            entries = try await audit.ledger()
        } catch {
            await audit.close()
            failed(command, error)
        }
        await audit.close()
        switch format {
        case .csv: write(audit.ledgerCSV(entries), to: output, command: command)
        case .json: write(audit.ledgerJSON(entries, now: Date()), to: output, command: command)
        }
    }
}
