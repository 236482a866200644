import Foundation

// vigil-bench: benchmarks run by `make bench`, not unit tests. Each subcommand prints a markdown
// table on stdout (progress goes to stderr) and exits 0 when it ran to the end.
//
//   vigil-bench scheduler [--incidents N] [--sample N]
//   vigil-bench micro [--summary FILE]

let arguments = Array(CommandLine.arguments.dropFirst())

func usage() -> Never {
    FileHandle.standardError.write(Data("usage: vigil-bench scheduler [--incidents N] [--sample N] | micro [--summary FILE]\n".utf8))
    exit(64)
}

func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name) else { return value }
    guard arguments.indices.contains(index + 1), let parsed = Int(arguments[index + 1]), parsed > 0 else { usage() }
    return parsed
}

switch arguments.first {
case "scheduler":
    let benchmark = SchedulerBenchmark(
        incidents: option("--incidents", default: 100_000), sample: option("--sample", default: 2_000))
    do {
        let figures = try await benchmark.run()
        print(figures.markdown)
    } catch {
        FileHandle.standardError.write(Data("vigil-bench scheduler failed: \(String(reflecting: error))\n".utf8))
        exit(1)
    }
case "micro":
    MicroBenchmark.main(Array(arguments.dropFirst()))
default:
    usage()
}
