import Foundation
import NIOCore

/// The slack-bolt peer (Benchmarks/peer/app.py) under gunicorn with 5 sync workers, on a free
/// port of 127.0.0.1, with its SQLite database and log in a temporary directory of its own.
///
/// It is what a team would write instead of Vigil, started and stopped by the benchmark so that
/// both are measured in one run, on one machine, with the same requests.
final class PeerUnderTest {
    /// gunicorn's workers, as the peer's deployment would set them: bolt's docs run sync
    /// workers, and five is gunicorn's 2 × cores + 1 on a two-core machine.
    static let workers = 5

    let directory: URL
    let port: Int
    private let process = Process()
    private var stopped = false

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var terminationStatus: Int32 { process.terminationStatus }
    var logURL: URL { directory.appendingPathComponent("peer.log") }

    /// Writes the directory; nothing runs until ``spawn()``.
    init(gunicorn: String, app: URL) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-load-peer-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        port = try ServerUnderTest.freePort()
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: gunicorn)
        process.arguments = [
            "--workers", String(Self.workers), "--worker-class", "sync", "--bind", "127.0.0.1:\(port)",
            // The app is imported once, in the master, which creates the schema before any
            // worker writes (app.py says why).
            "--preload",
            // The default control socket lives in the home directory; a benchmark leaves nothing there.
            "--no-control-socket", "--chdir", app.path, "app:api",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PEER_SIGNING_SECRET"] = SlackRequestFactory.signingSecret
        environment["PEER_DATABASE"] = directory.appendingPathComponent("peer.sqlite").path
        // No __pycache__ written into the checkout.
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
    }

    func spawn() throws {
        try process.run()
    }

    /// Polls `GET /` every 20 ms until the peer answers (bolt's adapter says 404 to anything but
    /// its path): a worker has booted with the app imported. The others boot meanwhile, and
    /// the warm-up of the first phase covers them.
    func waitUntilReady(on eventLoop: any EventLoop, timeout: Duration = .seconds(60)) async throws {
        let probe = SlackRequestFactory(host: "127.0.0.1:\(port)").get("/")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw LoadRunError(description: "the peer exited with status \(process.terminationStatus) before it was ready")
            }
            if (try? await HTTPClientConnection.fetch(probe, host: "127.0.0.1", port: port, on: eventLoop)) != nil { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw LoadRunError(description: "the peer was not ready within \(timeout)")
    }

    /// SIGTERM (gunicorn's graceful shutdown: the master stops its workers), then SIGKILL if it
    /// has not exited within 10 s.
    func stop() async {
        guard !stopped else { return }
        stopped = true
        await ChildProcess.stop(process)
    }

    /// Stops the peer if needed and deletes the directory with its database and log.
    func remove() async {
        await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The last lines gunicorn and the app wrote, for failure messages.
    func logTail(lines: Int = 20) -> String {
        ChildProcess.logTail(logURL, lines: lines)
    }

    /// Lines gunicorn logged at error level or above, and Python tracebacks from the app.
    func errorLines() -> Int {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").filter {
            $0.contains("[ERROR]") || $0.contains("[CRITICAL]") || $0.hasPrefix("Traceback")
        }.count
    }
}
