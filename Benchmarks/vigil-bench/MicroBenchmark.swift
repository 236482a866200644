import Foundation

/// Per-operation costs of the hot pure code on a request's path: the command parser, request
/// verification and form decoding, and the JSON codec (json-c against Foundation's two).
///
/// Method: fixed inputs; each operation is first calibrated so that one batch of N calls takes
/// about `batch`, then run for one untimed warm-up batch, then timed over `repetitions` batches
/// with `ContinuousClock`. The figure is the median per-call time of the batches, with the
/// fastest and slowest batch as the spread. Every result goes to ``blackhole(_:)``.
///
/// Batches are short and many because the machine may be shared: a short batch more often runs
/// without being descheduled. The thread's CPU time per call is reported beside the wall-clock
/// time; when the two differ much, other processes had the CPU.
struct MicroBenchmark {
    var repetitions = 15
    var batch: Duration = .milliseconds(5)
    var summaryPath: String?

    static let command = "\"$(swift build -c release --show-bin-path)/vigil-bench\" micro"

    /// `vigil-bench micro [--summary FILE]`.
    static func main(_ arguments: [String]) {
        var benchmark = MicroBenchmark()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument == "--summary", let path = rest.popFirst() else {
                FileHandle.standardError.write(Data("usage: vigil-bench micro [--summary FILE]\n".utf8))
                exit(64)
            }
            benchmark.summaryPath = path
        }
        do {
            let clock = ContinuousClock()
            let start = clock.now
            let report = try benchmark.run()
            print(report.markdown)
            if let path = benchmark.summaryPath {
                try report.summaryRows.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
                progress("summary rows written to \(path)")
            }
            progress(String(format: "micro: done in %.1f s", (clock.now - start).seconds))
        } catch {
            FileHandle.standardError.write(Data("vigil-bench micro failed: \(String(reflecting: error))\n".utf8))
            exit(1)
        }
    }

    /// `2 CPUs (model name).`, from /proc/cpuinfo where there is one.
    static func machine() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        return "\(ProcessInfo.processInfo.activeProcessorCount) CPUs" + (model.map { " (\($0))." } ?? ".")
    }

    func run() throws -> MicroReport {
        let machine = Self.machine()
        let fixtures = try MicroFixtures.load()
        let timer = MicroTimer(repetitions: repetitions, batch: batch)
        let overhead = timer.time("Harness: an empty call to the blackhole", section: "") { blackhole(0) }
        let parser = try ParserCases(fixtures: fixtures).run(timer)
        let requests = try RequestCases(fixtures: fixtures).run(timer)
        let json = try JSONCases(fixtures: fixtures).run(timer)
        return MicroReport(
            overhead: overhead, parser: parser, requests: requests, json: json, repetitions: repetitions, batch: batch,
            machine: machine)
    }
}

// MARK: - Timing

/// Per-call times of one operation, one figure per timed batch.
struct MicroResult: Sendable {
    var name: String
    /// Bytes of the input (or output) one call handles, for MB/s.
    var bytes: Int?
    /// Wall-clock nanoseconds per call, one per repetition, ascending.
    var samples: [Double]
    /// The thread's CPU nanoseconds per call, one per repetition, ascending.
    var cpuSamples: [Double]
    var callsPerBatch: Int

    var median: Double { samples[samples.count / 2] }
    var fastest: Double { samples.first! }
    var slowest: Double { samples.last! }
    var cpuMedian: Double { cpuSamples[cpuSamples.count / 2] }
}

/// Calibrates, warms up and times closures.
struct MicroTimer {
    var repetitions: Int
    var batch: Duration
    private let clock = ContinuousClock()

    init(repetitions: Int, batch: Duration) {
        self.repetitions = repetitions
        self.batch = batch
    }

    /// Times `body`, which performs `operations` operations per call (a whole mix, say).
    func time(_ name: String, section: String, bytes: Int? = nil, operations: Int = 1, _ body: () -> Void) -> MicroResult {
        // Calibrate: grow the batch until it takes a measurable time, then scale it to `batch`.
        var calls = 1
        var elapsed = run(calls, body).wall
        while elapsed < batch / 5 {
            calls *= 4
            elapsed = run(calls, body).wall
        }
        calls = max(1, Int((Double(calls) * (batch / elapsed)).rounded()))
        _ = run(calls, body)  // warm-up
        var samples: [Double] = []
        var cpuSamples: [Double] = []
        for _ in 0..<repetitions {
            let (wall, cpu) = run(calls, body)
            samples.append(wall.nanoseconds / Double(calls * operations))
            cpuSamples.append(cpu / Double(calls * operations))
        }
        let result = MicroResult(
            name: name, bytes: bytes, samples: samples.sorted(), cpuSamples: cpuSamples.sorted(), callsPerBatch: calls * operations)
        progress("  \(section.isEmpty ? "" : section + ": ")\(name): \(MicroFormat.time(result.median))")
        return result
    }

    /// One batch: its wall-clock time, and the CPU time this thread spent in it (ns), which
    /// leaves out the time other processes had the CPU.
    private func run(_ calls: Int, _ body: () -> Void) -> (wall: Duration, cpu: Double) {
        let cpuStart = Self.threadCPUTime()
        let wall = clock.measure {
            for _ in 0..<calls { body() }
        }
        return (wall, Self.threadCPUTime() - cpuStart)
    }

    static func threadCPUTime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) * 1e9 + Double(now.tv_nsec)
    }
}

/// Keeps a value alive past the optimiser: not inlined, not optimised, so it may do anything.
@inline(never) @_optimize(none)
func blackhole<T>(_ value: T) {}

extension Duration {
    var nanoseconds: Double { Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9 }
}

// MARK: - Formatting

enum MicroFormat {
    /// A time in the unit that suits `ns`.
    static func time(_ ns: Double) -> String { time(ns, unitOf: ns) }

    /// A time in the unit that suits `reference`, so a spread reads in its median's unit.
    static func time(_ ns: Double, unitOf reference: Double) -> String {
        let (scale, unit) = Self.unit(reference)
        let value = ns / scale
        let digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
        return String(format: "%.\(digits)f \(unit)", value)
    }

    static func unit(_ ns: Double) -> (Double, String) {
        ns < 1e3 ? (1, "ns") : ns < 1e6 ? (1e3, "µs") : (1e6, "ms")
    }

    /// `2.01–2.35 µs`.
    static func spread(_ result: MicroResult) -> String {
        let (scale, unit) = Self.unit(result.median)
        let digits = result.median / scale >= 100 ? 0 : result.median / scale >= 10 ? 1 : 2
        return String(format: "%.\(digits)f–%.\(digits)f \(unit)", result.fastest / scale, result.slowest / scale)
    }

    /// `2.1 µs (2.0–2.3)`, for summary rows.
    static func headline(_ result: MicroResult) -> String {
        let (scale, _) = Self.unit(result.median)
        let digits = result.median / scale >= 100 ? 0 : result.median / scale >= 10 ? 1 : 2
        return time(result.median) + String(format: " (%.\(digits)f–%.\(digits)f)", result.fastest / scale, result.slowest / scale)
    }

    static func rate(_ ns: Double) -> String {
        let perSecond = 1e9 / ns
        if perSecond >= 1e6 { return String(format: "%.2f M/s", perSecond / 1e6) }
        if perSecond >= 1e3 { return String(format: "%.0f k/s", perSecond / 1e3) }
        return String(format: "%.0f /s", perSecond)
    }

    static func megabytesPerSecond(_ result: MicroResult) -> String {
        guard let bytes = result.bytes else { return "" }
        let value = Double(bytes) / result.median * 1e3
        return String(format: value >= 100 ? "%.0f" : "%.1f", value)
    }

    /// Text safe inside a table cell.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// One row of the main tables.
    static func row(_ result: MicroResult) -> String {
        let size = result.bytes.map { "\($0) B" } ?? ""
        let figures = [time(result.median), spread(result), time(result.cpuMedian), rate(result.median), megabytesPerSecond(result)]
        return "| \(cell(result.name)) | \(size) | \(figures.joined(separator: " | ")) |"
    }

    static let header =
        "| operation | input | median | spread (min–max) | CPU time | per second | MB/s |\n|---|---:|---:|---:|---:|---:|---:|"
}

// MARK: - Report

struct MicroReport {
    var overhead: MicroResult
    var parser: ParserFigures
    var requests: RequestFigures
    var json: JSONFigures
    var repetitions: Int
    var batch: Duration
    /// How many CPUs the machine has, and which.
    var machine: String

    var markdown: String {
        let batchMs = Int(batch.nanoseconds / 1e6)
        var text = """
            ## Micro-benchmarks

            Per-operation costs of the pure code on a command's path, measured in-process on this machine with \
            fixed inputs: the command parser over the shipped `commands/` specs and the policy of \
            `vigil.example.yaml`; Slack signature and Mattermost token checks and form decoding on the recorded \
            bodies in `Tests/VigilChatTests/Fixtures` (Slack's official vector of protocols.md §8.1 among them); \
            and the JSON codec, json-c (`VigilJSON`) against Foundation's `JSONSerialization` and \
            `JSONDecoder`/`JSONEncoder` (Codable structs), on replies and webhook posts rendered by \
            `SlackRenderer`/`MattermostRenderer` from real core replies and on the platforms' documented \
            interaction payloads. Each operation is calibrated so that a batch of N calls takes about \
            \(batchMs) ms, warmed up with one untimed batch, then timed over \(repetitions) batches with \
            `ContinuousClock`; the table gives the median time per call and the fastest and slowest batch. \
            CPU time is the median of the thread's own CPU time per call (`CLOCK_THREAD_CPUTIME_ID`): well \
            below the median, it means other processes held the CPU during the run. Results go to a \
            non-inlined, unoptimised blackhole, whose own cost is \(MicroFormat.time(overhead.median)) per \
            call. MB/s is input bytes (parse, verify, decode) or output bytes (serialize) per second, with \
            MB = 10⁶ bytes. Machine: \(machine)

            Run: `\(MicroBenchmark.command)`


            """
        text += parser.markdown + "\n" + requests.markdown + "\n" + json.markdown
        return text
    }

    /// Headline rows for BENCHMARKS.md: `| Micro | measure | value | target |`.
    var summaryRows: [String] {
        (parser.summaryRows + requests.summaryRows + json.summaryRows).map { "| Micro | \($0.0) | \($0.1) | |" }
    }
}
