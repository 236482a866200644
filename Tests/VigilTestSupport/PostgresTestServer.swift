import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A throw-away PostgreSQL server of the test process's own: a fresh cluster in a temporary
/// directory, listening on 127.0.0.1 on a free port, trusting every connection, and gone when the
/// process exits.
///
/// No test may assume a server is already running, so the tests start this one. ``shared`` starts
/// it once per test process; each test then takes a database of its own from it:
///
/// ```swift
/// let url = try PostgresTestServer.shared.createDatabase()  // postgres://vigil@127.0.0.1:PORT/test_…
/// ```
///
/// Durability is off (`fsync`, `synchronous_commit`, `full_page_writes`): a crash loses nothing a
/// test needs, and start-up and every commit are much faster for it.
///
/// PostgreSQL refuses to run as root. When this process is root, `initdb`, the server and `pg_ctl`
/// run as the `postgres` user (which Debian's `postgresql` package creates), and the directory
/// belongs to it.
public final class PostgresTestServer: Sendable {
    /// Where the server listens: always `127.0.0.1`.
    public let host = PostgresTestServer.loopback
    /// The TCP port the server listens on.
    public let port: Int
    /// The superuser every database belongs to; it needs no password.
    public let user = "vigil"
    /// The temporary directory holding the cluster (`data`), its log (`log`) and its Unix socket
    /// (`socket`); removed by ``stop()``.
    public let directory: URL

    private let tools: Tools
    /// The write end of the watchdog's pipe while the server runs; `nil` once stopped.
    private let watchdog: Mutex<Int32?>

    private static let loopback = "127.0.0.1"
    /// How many times start-up picks a new port after losing the one it picked to another process.
    private static let startAttempts = 5
    /// How long a server may take to accept connections: `pg_ctl -w`'s default.
    private static let startTimeout = Duration.seconds(60)

    // MARK: - The shared server

    /// The server every test in this process shares, started on first use and stopped at exit.
    ///
    /// A failed start is remembered and thrown again, so a broken installation costs one start-up
    /// timeout, not one per test.
    public static var shared: PostgresTestServer {
        get throws {
            try sharedServer.withLock { slot in
                if let slot { return try slot.get() }
                let result = Result { try PostgresTestServer() }
                slot = result
                if case .success = result {
                    atexit { PostgresTestServer.stopSharedAtExit() }
                }
                return try result.get()
            }
        }
    }

    private static let sharedServer = Mutex<Result<PostgresTestServer, any Error>?>(nil)

    private static func stopSharedAtExit() {
        // A thread still starting the server when the process exits holds the lock; waiting for
        // it could hang the exit, and the watchdog cleans up without us then.
        let server = sharedServer.withLockIfAvailable { slot in try? slot?.get() } ?? nil
        server?.stop()
    }

    // MARK: - Starting and stopping

    /// Initialises a cluster in a new temporary directory and starts a server on it. Prefer
    /// ``shared``: one server per process is enough, since each test takes its own database.
    public init() throws {
        let binaries = try Self.findBinaries()
        let serverUser = try ServerUser.forCurrentProcess()
        let directory = try Self.makeDirectory(owner: serverUser)
        let tools = Tools(bin: binaries, directory: directory, serverUser: serverUser)
        do {
            try Self.initialiseCluster(tools)
            port = try Self.startServer(tools, host: Self.loopback)
        } catch {
            // A start that timed out may have left a server behind, still starting.
            _ = try? tools.run("pg_ctl", ["-D", tools.data.path, "stop", "-m", "immediate", "-w"], asServer: true)
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        let watchdogPipe: Int32
        do {
            watchdogPipe = try Self.startWatchdog(tools)
        } catch {
            _ = try? tools.run("pg_ctl", ["-D", tools.data.path, "stop", "-m", "immediate", "-w"], asServer: true)
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        self.directory = directory
        self.tools = tools
        self.watchdog = Mutex(watchdogPipe)
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`: nothing in it is worth a clean
    /// shutdown) and removes its directory. Calling it again does nothing.
    public func stop() {
        let pipe = watchdog.withLock { pipe in
            defer { pipe = nil }
            return pipe
        }
        guard let pipe else { return }
        _ = try? tools.run("pg_ctl", ["-D", tools.data.path, "stop", "-m", "immediate", "-w"], asServer: true)
        try? FileManager.default.removeItem(at: directory)
        // The watchdog now wakes up and finds nothing left to do.
        close(pipe)
    }

    // MARK: - Databases

    /// Creates a new, empty database and returns its URL, `postgres://vigil@127.0.0.1:PORT/NAME`.
    /// Without a name it gets a random one, so every test can have a database no other touches.
    public func createDatabase(_ name: String? = nil) throws -> String {
        let name = name ?? "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let result = try tools.run("createdb", ["-h", host, "-p", String(port), "-U", user, "-w", name], asServer: false)
        guard result.status == 0 else {
            throw PostgresTestServerError("createdb \(name) failed (exit \(result.status)):\n\(result.output)")
        }
        return url(database: name)
    }

    /// `postgres://vigil@127.0.0.1:PORT/<database>`.
    public func url(database: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        let path = database.addingPercentEncoding(withAllowedCharacters: allowed) ?? database
        return "postgres://\(user)@\(host):\(port)/\(path)"
    }

    /// The path of the PostgreSQL program `name` (`psql`, `pg_dump`, …) from the same installation
    /// as the server, so a client never mismatches it.
    public func programPath(_ name: String) -> String {
        tools.bin.appendingPathComponent(name).path
    }

    // MARK: - Steps of start-up

    /// The newest `/usr/lib/postgresql/<N>/bin` holding `initdb` and `pg_ctl` (Debian's layout,
    /// where they are not on PATH), else the directory `initdb` on PATH really lives in.
    private static func findBinaries() throws -> URL {
        let fileManager = FileManager.default
        let required = ["initdb", "pg_ctl"]
        var rejected: [String] = []
        func missing(in bin: URL) -> [String] {
            required.filter { !fileManager.isExecutableFile(atPath: bin.appendingPathComponent($0).path) }
        }

        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root.path)) ?? [])
            .map { ($0, $0.split(separator: ".").compactMap { Int($0) }) }
            .filter { !$0.1.isEmpty }
            .sorted { $0.1.lexicographicallyPrecedes($1.1) }
            .reversed()
        for (version, _) in versions {
            let bin = root.appendingPathComponent(version).appendingPathComponent("bin")
            let lacking = missing(in: bin)
            if lacking.isEmpty { return bin }
            rejected.append("\(bin.path) (no \(lacking.joined(separator: ", ")))")
        }

        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for entry in path.split(separator: ":") {
            let initdb = URL(fileURLWithPath: String(entry)).appendingPathComponent("initdb")
            guard fileManager.isExecutableFile(atPath: initdb.path) else { continue }
            // A symlink (Homebrew's, or /usr/local/bin's) points into the real installation,
            // which also holds createdb and psql.
            let bin = initdb.resolvingSymlinksInPath().deletingLastPathComponent()
            let lacking = missing(in: bin)
            if lacking.isEmpty { return bin }
            rejected.append("\(bin.path) (no \(lacking.joined(separator: ", ")))")
        }

        let looked = rejected.isEmpty ? "" : " Rejected: \(rejected.joined(separator: "; "))."
        throw PostgresTestServerError(
            "no PostgreSQL server programs (initdb and pg_ctl) in /usr/lib/postgresql/<version>/bin or on PATH."
                + looked + " `make deps` installs Debian's postgresql package.")
    }

    /// A new directory under the temporary directory, with an empty `socket` directory inside;
    /// both belong to the user the server runs as, which alone may use them (0700).
    private static func makeDirectory(owner: ServerUser?) throws -> URL {
        var template = Array(
            FileManager.default.temporaryDirectory.appendingPathComponent("vigil-postgres-XXXXXX").path.utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw PostgresTestServerError("could not create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let directory = URL(fileURLWithPath: String(cString: created))
        let socket = directory.appendingPathComponent("socket")
        do {
            try FileManager.default.createDirectory(at: socket, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            if let owner {
                for path in [directory.path, socket.path] where chown(path, owner.uid, owner.gid) != 0 {
                    throw PostgresTestServerError("could not give \(path) to the postgres user: \(String(cString: strerror(errno)))")
                }
            }
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        return directory
    }

    /// `initdb` with a superuser `vigil` that needs no password. `C.UTF-8` sorts byte-wise like `C`
    /// but knows UTF-8 characters; systems without that locale (macOS) get plain `C`.
    private static func initialiseCluster(_ tools: Tools) throws {
        var failures: [String] = []
        for locale in ["C.UTF-8", "C"] {
            let result = try tools.run(
                "initdb",
                ["-D", tools.data.path, "-U", "vigil", "--auth=trust", "-E", "UTF8", "--locale=\(locale)", "--no-sync"],
                asServer: true)
            if result.status == 0 { return }
            failures.append("initdb --locale=\(locale) failed (exit \(result.status)):\n\(result.output)")
            // Only a missing locale is worth a second try; anything else fails the same way again.
            guard result.output.localizedCaseInsensitiveContains("locale") else { break }
            try? FileManager.default.removeItem(at: tools.data)
        }
        throw PostgresTestServerError(failures.joined(separator: "\n"))
    }

    /// Starts the server on a free port and waits until it accepts connections; returns the port.
    ///
    /// The server is a child of this process (a ``ChildProcess``), not one `pg_ctl start` leaves
    /// behind, so a server that dies before it accepts connections is seen at once, with its
    /// exit status. Readiness is read where `pg_ctl -w` reads it.
    private static func startServer(_ tools: Tools, host: String) throws -> Int {
        var attempt = 0
        attempts: while true {
            attempt += 1
            let port = try freePort()
            let command = tools.commandLine(
                "postgres",
                [
                    "-D", tools.data.path, "-h", host, "-p", String(port), "-k", tools.socket.path,
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", "max_connections=500",
                ],
                asServer: true)
            let server: ChildProcess
            do {
                server = try ChildProcess.start(
                    command.executable, command.arguments, environment: tools.environment, directory: tools.directory.path,
                    output: .file(tools.log.path, append: true), errors: .output)
            } catch {
                throw PostgresTestServerError("could not run \(command.executable): \(error)")
            }

            let deadline = ContinuousClock.now + startTimeout
            while !tools.serverIsReady() {
                if let ended = server.termination {
                    let log = tools.logTail()
                    if log.contains("Address already in use") && attempt < startAttempts { continue attempts }
                    throw PostgresTestServerError(
                        "the server on port \(port) exited (status \(ended.status)) before accepting connections."
                            + "\nThe server log ends:\n\(log)")
                }
                if ContinuousClock.now > deadline {
                    server.send(SIGTERM)
                    throw PostgresTestServerError(
                        "the server on port \(port) did not accept connections within \(startTimeout)."
                            + "\nThe server log ends:\n\(tools.logTail())")
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return port
        }
    }

    /// A port no socket on 127.0.0.1 holds right now. Another process may take it before the
    /// server binds it, which ``startServer(_:host:)`` answers by trying another.
    private static func freePort() throws -> Int {
        let probe = try ReservedLocalPort()
        return probe.port
    }

    /// Starts a `/bin/sh` that waits for end-of-file on a pipe only this process holds the write
    /// end of, then stops the server and removes its directory; returns that write end.
    ///
    /// `atexit` runs only on a normal exit. A test that crashes the process, or a Ctrl-C, would
    /// otherwise leave a server running and its directory behind for good, and a signal that ends
    /// the whole run's process group may end the server before its data directory is removed.
    private static func startWatchdog(_ tools: Tools) throws -> Int32 {
        var ends: [Int32] = [0, 0]
        // A child that inherited the write end would hold the pipe open, and the watchdog would
        // not wake: close-on-exec keeps it from every child, started here or anywhere else.
        guard pipe(&ends) == 0 else { throw PostgresTestServerError("pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        let stop = tools.commandLine("pg_ctl", ["-D", tools.data.path, "stop", "-m", "immediate", "-w"], asServer: true)
        // It ignores the signals that end a whole run (a closed terminal, a kill of the process
        // group), which would otherwise end it before its work.
        let script = """
            trap '' INT HUP TERM
            read ignored
            \(([stop.executable] + stop.arguments).map(shellQuoted).joined(separator: " ")) >/dev/null 2>&1
            rm -rf \(shellQuoted(tools.directory.path))
            """
        do {
            _ = try ChildProcess.start(
                "/bin/sh", ["-c", script], environment: tools.environment, directory: "/", input: .descriptor(ends[0]))
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[0])
        return ends[1]
    }
}

/// The PostgreSQL test server could not be found, started or used; the message says why,
/// quoting the failing program's output and the server log's last lines.
public struct PostgresTestServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

// MARK: - Running the programs

/// The user the server runs as when this process is root, and how to switch to it.
private struct ServerUser: Sendable {
    enum Switch: Sendable {
        case runuser(String)
        case su(String)
    }

    var uid: uid_t
    var gid: gid_t
    var switchUser: Switch

    /// `nil` when this process is not root: then everything runs as this process's user.
    static func forCurrentProcess() throws -> ServerUser? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam("postgres") else {
            throw PostgresTestServerError(
                "running as root, which the PostgreSQL server refuses, and there is no postgres user to run it as"
                    + " (Debian's postgresql package creates one; `make deps` installs it)")
        }
        let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
        let fileManager = FileManager.default
        if let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
            .first(where: fileManager.isExecutableFile(atPath:))
        {
            return ServerUser(uid: uid, gid: gid, switchUser: .runuser(runuser))
        }
        if let su = ["/usr/bin/su", "/bin/su"].first(where: fileManager.isExecutableFile(atPath:)) {
            return ServerUser(uid: uid, gid: gid, switchUser: .su(su))
        }
        throw PostgresTestServerError("running as root, and neither runuser nor su is there to run the PostgreSQL server as postgres")
    }
}

/// One installation's programs, run on behalf of one server directory.
private struct Tools: Sendable {
    var bin: URL
    var directory: URL
    var serverUser: ServerUser?

    var data: URL { directory.appendingPathComponent("data") }
    var log: URL { directory.appendingPathComponent("log") }
    var socket: URL { directory.appendingPathComponent("socket") }

    /// An explicit environment, so the caller's PGHOST, PGPORT, PGDATABASE, PGUSER and the like
    /// cannot point a program at some other server.
    var environment: [String: String] {
        ["PATH": "\(bin.path):/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]
    }

    /// What to execute for `program arguments…`: as root, the server's programs go through
    /// runuser (or su) to the postgres user.
    func commandLine(_ program: String, _ arguments: [String], asServer: Bool) -> (executable: String, arguments: [String]) {
        let path = bin.appendingPathComponent(program).path
        guard asServer, let serverUser else { return (path, arguments) }
        switch serverUser.switchUser {
        case .runuser(let runuser):
            return (runuser, ["-u", "postgres", "--", path] + arguments)
        case .su(let su):
            return (su, ["postgres", "-s", "/bin/sh", "-c", ([path] + arguments).map(shellQuoted).joined(separator: " ")])
        }
    }

    /// Runs `program` to completion and returns its exit status and its output, stdout and
    /// stderr together (through a file: nothing here prints enough to need a pipe's reader).
    func run(_ program: String, _ arguments: [String], asServer: Bool) throws -> (status: Int32, output: String) {
        let command = commandLine(program, arguments, asServer: asServer)
        let outputFile = directory.appendingPathComponent("output-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let status: Int32
        do {
            // Not Foundation's Process: see ``ProgramRun``. The postgres user may not be able to
            // enter the caller's directory, so the program runs in the server's.
            status = try ProgramRun.run(
                command.executable, command.arguments, environment: environment, directory: directory.path, outputPath: outputFile.path)
        } catch {
            throw PostgresTestServerError("could not run \(command.executable): \(error)")
        }
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        return (status, text)
    }

    /// Whether the server accepts connections: the status line of `postmaster.pid` says `ready`,
    /// which is what `pg_ctl -w` waits for.
    func serverIsReady() -> Bool {
        guard let pidFile = try? String(contentsOf: data.appendingPathComponent("postmaster.pid"), encoding: .utf8) else {
            return false
        }
        let lines = pidFile.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 7 && lines[7].hasPrefix("ready")
    }

    /// The last 40 lines of the server log.
    func logTail() -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? "(no log at \(log.path))"
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")
    }
}

/// `word` quoted for /bin/sh.
private func shellQuoted(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
