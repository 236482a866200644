import Foundation

/// What the benchmark does with a server it started (Vigil or the slack-bolt peer): stop it
/// gracefully, and quote its log when it fails.
enum ChildProcess {
    /// SIGTERM (a graceful shutdown for both), then SIGKILL if `process` has not exited within 10 s.
    static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The last `lines` lines of the log at `url`, for failure messages.
    static func logTail(_ url: URL, lines: Int) -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
