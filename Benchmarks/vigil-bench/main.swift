import Foundation

// vigil-bench: benchmarks run by `make bench`, not unit tests. Each subcommand prints a markdown
// table on stdout (progress goes to stderr) and exits 0 when it ran to the end. With
// `--summary FILE`, it also writes its headline rows for BENCHMARKS.md's summary table.
//
//   vigil-bench scheduler [--incidents N] [--sample N] [--postgres URL] [--summary FILE]
//   vigil-bench report [--incidents N] [--repetitions N] [--summary FILE]
//   vigil-bench micro [--summary FILE]

let arguments = Array(CommandLine.arguments.dropFirst())

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: vigil-bench scheduler [--incidents N] [--sample N] [--postgres URL] [--summary FILE]
               vigil-bench report [--incidents N] [--repetitions N] [--summary FILE]
               vigil-bench micro [--summary FILE]

        """.utf8))
    exit(64)
}

/// The text after `name`, if given.
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name) else { return nil }
    guard arguments.indices.contains(index + 1) else { usage() }
    return arguments[index + 1]
}

func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name) else { return value }
    guard arguments.indices.contains(index + 1), let parsed = Int(arguments[index + 1]), parsed > 0 else { usage() }
    return parsed
}

/// Writes the headline rows to `--summary FILE`, if given.
func writeSummary(_ rows: String) {
    guard let index = arguments.firstIndex(of: "--summary") else { return }
    guard arguments.indices.contains(index + 1) else { usage() }
    do {
        try rows.write(toFile: arguments[index + 1], atomically: true, encoding: .utf8)
    } catch {
        FileHandle.standardError.write(Data("vigil-bench: cannot write the summary: \(error)\n".utf8))
        exit(1)
    }
}

func failed(_ name: String, _ error: any Error) -> Never {
    FileHandle.standardError.write(Data("vigil-bench \(name) failed: \(String(reflecting: error))\n".utf8))
    exit(1)
}

switch arguments.first {
case "scheduler":
    let benchmark = SchedulerBenchmark(
        incidents: option("--incidents", default: 100_000), sample: option("--sample", default: 2_000))
    do {
        // Without --postgres, SQLite: the database a single `vigil serve` uses by default.
        let database: any SchedulerDatabase, heading: String, method: String
        if let url = option("--postgres") {
            let postgres = try await PostgresSchedulerDatabase(url: url)
            (database, heading) = (postgres, "Scheduler on PostgreSQL")
            method = SchedulerFigures.postgresMethod(serverVersion: postgres.serverVersion)
        } else {
            (database, heading, method) = (try SQLiteSchedulerDatabase(), "Scheduler", SchedulerFigures.sqliteMethod)
        }
        let figures = try await benchmark.run(on: database)
        print("## \(heading)\n\n\(method)\n\n\(figures.markdown)")
        writeSummary(figures.summary)
    } catch {
        failed("scheduler", error)
    }
case "report":
    let benchmark = ReportBenchmark(incidents: option("--incidents", default: 1_000_000), repetitions: option("--repetitions", default: 5))
    do {
        let figures = try await benchmark.run()
        print("## Reports\n\n\(ReportFigures.method)\n\n\(figures.markdown)")
        writeSummary(figures.summary)
    } catch {
        failed("report", error)
    }
case "micro":
    MicroBenchmark.main(Array(arguments.dropFirst()))
default:
    usage()
}
