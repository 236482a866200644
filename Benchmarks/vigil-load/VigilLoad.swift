import Foundation

/// `vigil-load`: the end-to-end load generator run by `make bench`.
///
/// It starts a release `vigil serve` with a fresh database, measures its start-up and idle
/// memory, drives it with signed Slack slash commands open-loop at fixed rates and closed-loop
/// at saturation, fills it to 100,000 incidents and reads its memory again. With `--postgres`,
/// it then measures `open` at saturation against one and several replicas on PostgreSQL. The report goes to
/// stdout (and headline rows to `--summary`); progress goes to stderr. It exits non-zero only
/// when the run could not be done, never for a missed target.
@main
enum VigilLoad {
    static func main() async {
        let options: LoadOptions
        do {
            options = try LoadOptions.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            if !error.description.isEmpty { Progress.say("vigil-load: \(error.description)") }
            Progress.say(LoadOptions.usage)
            exit(error.description.isEmpty ? 0 : 64)
        }
        do {
            let results = try await LoadRun(options: options).execute()
            let report = MarkdownReport(options: options, results: results, command: commandLine())
            let replicas = ReplicaReport(options: options, results: results)
            print(report.markdown(), terminator: "")
            if !replicas.isEmpty { print("\n" + replicas.markdown(), terminator: "") }
            if let summary = options.summary {
                try (report.summaryRows() + replicas.summaryRows()).write(toFile: summary, atomically: true, encoding: .utf8)
            }
            Progress.say("vigil-load: done in \(String(format: "%.0f", results.totalSeconds)) s")
        } catch {
            Progress.say("vigil-load: the run could not be done: \(error)")
            exit(1)
        }
    }

    /// The command as typed, with arguments quoted where the shell would need it.
    static func commandLine() -> String {
        CommandLine.arguments.enumerated().map { index, argument in
            let shown = index == 0 ? "vigil-load" : argument
            let plain = shown.allSatisfy { $0.isLetter || $0.isNumber || "-_./=,:".contains($0) }
            return plain ? shown : "'\(shown.replacingOccurrences(of: "'", with: "'\\''"))'"
        }.joined(separator: " ")
    }
}
