import Foundation
import NIOCore

/// Why a run could not be done; these, not missed targets, make `vigil-load` exit non-zero.
struct LoadRunError: Error, CustomStringConvertible {
    let description: String
}

/// Resident memory of a process, from `/proc/<pid>/status`.
struct ResidentMemory: Sendable {
    /// VmRSS: resident now.
    let current: Int
    /// VmHWM: the most it has been resident ("high water mark").
    let peak: Int
    /// RssAnon: the part of VmRSS that is the process's own (heap, stacks); the rest is
    /// file-backed, mostly the code of the executable and the shared libraries it maps.
    let anonymous: Int

    static func read(pid: Int32) throws -> ResidentMemory {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func kilobytes(_ key: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        guard let rss = kilobytes("VmRSS"), let hwm = kilobytes("VmHWM"), let anonymous = kilobytes("RssAnon") else {
            throw LoadRunError(description: "no VmRSS, VmHWM or RssAnon in /proc/\(pid)/status")
        }
        return ResidentMemory(current: rss * 1024, peak: hwm * 1024, anonymous: anonymous * 1024)
    }
}

/// One release `vigil serve` in a temporary directory of its own: a fresh SQLite database (or
/// the PostgreSQL database it is given), a config written for the run, and its output in
/// `vigil.log` beside them.
final class ServerUnderTest {
    let directory: URL
    let port: Int
    private let process = Process()
    private var stopped = false

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var terminationStatus: Int32 { process.terminationStatus }
    var logURL: URL { directory.appendingPathComponent("vigil.log") }

    /// Writes the directory and config; nothing runs until ``spawn()``. `database` is a
    /// `postgres://` URL for a replica, nil for an SQLite file of its own in the directory.
    init(vigil: String, repository: URL, sinkPort: Int, database: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-load-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        port = try Self.freePort()
        let config = directory.appendingPathComponent("vigil.yaml")
        try VigilConfigFile.text(
            port: port, database: database ?? "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path, repository: repository,
            sinkPort: sinkPort
        ).write(to: config, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: vigil)
        process.arguments = ["serve", "--config", config.path]
        process.currentDirectoryURL = directory
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
    }

    /// Starts the process; returns the monotonic time just before the spawn.
    func spawn() throws -> UInt64 {
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        return start
    }

    /// Polls `GET /readyz` every 5 ms until it answers 200, and returns the time it did.
    func waitUntilReady(on eventLoop: any EventLoop, timeout: Duration = .seconds(30)) async throws -> UInt64 {
        let probe = SlackRequestFactory(host: "127.0.0.1:\(port)").get("/readyz")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw LoadRunError(description: "vigil exited with status \(process.terminationStatus) before it was ready")
            }
            if let (status, _) = try? await HTTPClientConnection.fetch(probe, host: "127.0.0.1", port: port, on: eventLoop),
                status == 200
            {
                return DispatchTime.now().uptimeNanoseconds
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw LoadRunError(description: "vigil was not ready within \(timeout)")
    }

    func memory() throws -> ResidentMemory {
        try ResidentMemory.read(pid: process.processIdentifier)
    }

    /// CPU time (user + system) the server has used, from `/proc/<pid>/stat`.
    func cpuSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGTERM (Vigil's graceful shutdown), then SIGKILL if it has not exited within 10 s.
    func stop() async {
        guard !stopped else { return }
        stopped = true
        await ChildProcess.stop(process)
    }

    /// Stops the server if needed and deletes the directory with its database and log.
    func remove() async {
        await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The last lines Vigil wrote, for failure messages.
    func logTail(lines: Int = 20) -> String {
        ChildProcess.logTail(logURL, lines: lines)
    }

    /// A port nothing listens on now: bind port 0, read it, close. Vigil binds it a moment later.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoadRunError(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socket in
                bind(fd, socket, length) == 0 && getsockname(fd, socket, &length) == 0
            }
        }
        guard bound else { throw LoadRunError(description: "could not find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The `vigil.yaml` of a run: the example config's policy, a fixed signing secret, absolute
/// paths to the repository's commands and playbooks, and every channel on the webhook sink.
enum VigilConfigFile {
    /// `database` is the config's value as written: `sqlite:PATH` or a `postgres://` URL.
    static func text(port: Int, database: String, repository: URL, sinkPort: Int) -> String {
        let hook = "http://127.0.0.1:\(sinkPort)/services/T0LOAD/B0LOAD"
        return """
            # Written by vigil-load for one run; deleted with its directory.
            listen: 127.0.0.1:\(port)
            database: \(database)
            durability: normal
            id_prefix: INC
            timezone: UTC
            commands: \(repository.appendingPathComponent("commands").path)
            playbooks: \(repository.appendingPathComponent("playbooks").path)
            slack:
              signing_secret: \(SlackRequestFactory.signingSecret)
            channels:
              incidents: \(hook)/incidents
              oncall: \(hook)/oncall
              leads: \(hook)/leads
            roles:
              restricted: ["slack:U0AVA", "slack:U0DEE"]
            outbox:
              max_attempts: 8
              base_delay: 2s
              max_delay: 10m
              # The load measures raw delivery: no channel budget folding or pacing the posts.
              channel_budget: 10000
              channel_window: 1s
            severities:
              - {name: sev1, ack: 5m, resolve: 4h, warn: [50%, 90%], repeat: 10m}
              - {name: sev2, ack: 30m, resolve: 24h, warn: 75%, repeat: 1h}
              - {name: sev3, ack: 4h, resolve: 3d, warn: 90%, repeat: 1d}
            categories:
              - {name: fraud}
              - {name: moderation}
              - {name: compliance}
              - {name: child-safety, restricted: true}
            oncall:
              - name: ts-primary
                members: ["<@U0AVA>", "<@U0BEN>", "<@U0CAS>"]
                shift: 1w
                handoff: "2026-11-02 09:00 America/Los_Angeles"
            escalation:
              - {name: responders, notify: [ts-primary]}
              - {name: lead, notify: ["<@U0LEAD>"], after: 15m}
              - {name: head, notify: ["<@U0HEAD>"], after: 30m}
            escalation_repeats: 3

            """
    }
}
