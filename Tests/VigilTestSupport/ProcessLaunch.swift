import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program the tests start through `posix_spawn`, never through Foundation's `Process`.
///
/// On Linux, swift-corelibs-foundation's `Process.run()` (Swift 6.3.1) over-reads a `dirent`
/// while it lists `/proc/self/fd` (swiftlang/swift-corelibs-foundation#5472, fixed upstream) and
/// crashes the whole test process now and then, when a record ends a page. A full test run holds
/// over a thousand descriptors and starts dozens of children (PostgreSQL's tools, `vigil`
/// itself, `psql`, Chromium), so it met that crash in CI. Every test launch goes through here.
///
/// The child's standard input is `/dev/null` or a descriptor of the caller's; its output and
/// errors go to files or to `/dev/null`. Nothing reads a pipe, so a chatty child cannot stall on
/// a full one. Descriptors above 2 are closed in the child where the C library can do it, as
/// `Process` did, so a child cannot hold the tests' sockets or pipes open.
public final class ChildProcess: @unchecked Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A file, created if missing; `append` keeps what it holds, otherwise it is truncated.
        case file(String, append: Bool = false)
        /// A descriptor of the caller's, duplicated into the child.
        case descriptor(Int32)
        /// The same place as the child's standard output (for its errors only).
        case output
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// The exit status, or 128 plus the signal, as a shell reports it.
        public var status: Int32 {
            switch self {
            case let .exited(code): code
            case let .signalled(signal): 128 + signal
            }
        }
    }

    /// Why a program could not be started.
    public struct LaunchError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The child's process id.
    public let pid: pid_t
    private let lock = NSLock()
    private var ended: Termination?

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `executable` (an absolute path) with `arguments` and exactly `environment`, in
    /// `directory`.
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String,
        input: Stream = .null, output: Stream = .null, errors: Stream = .null
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        func redirect(_ stream: Stream, to target: Int32, flags: Int32) {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", flags, 0)
            case let .file(path, append):
                let mode = flags == O_RDONLY ? flags : flags | O_CREAT | (append ? O_APPEND : O_TRUNC)
                posix_spawn_file_actions_addopen(&actions, target, path, mode, 0o644)
            case let .descriptor(descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            case .output: posix_spawn_file_actions_adddup2(&actions, 1, target)
            }
        }
        redirect(input, to: 0, flags: O_RDONLY)
        redirect(output, to: 1, flags: O_WRONLY)
        redirect(errors, to: 2, flags: O_WRONLY)
        if let closeFrom = closeFrom { _ = closeFrom(&actions, 3) }
        // posix_spawn_file_actions_addchdir_np does not import: a shell enters the directory and
        // then becomes the program, its arguments passed through untouched.
        let shell = ["/bin/sh", "-c", "cd -- \"$1\" || exit 127; shift; exec \"$@\"", "sh", directory, executable]
        let argv = (shell + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard spawned == 0 else { throw LaunchError(description: "posix_spawn \(executable): \(String(cString: strerror(spawned)))") }
        return ChildProcess(pid: pid)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift does not
    /// import; looked up at run time, so an older C library only loses the closing.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// How the child ended, or `nil` while it runs (without waiting).
    public var termination: Termination? {
        reap(blocking: false)
    }

    /// Whether the child still runs.
    public var isRunning: Bool { termination == nil }

    /// Waits for the child to end (blocking the calling thread).
    @discardableResult
    public func waitUntilExit() -> Termination {
        // Only a reaped child answers nil to a blocking wait, and then `ended` is set.
        reap(blocking: true) ?? .exited(-1)
    }

    /// Waits for the child to end on a dispatch thread, so the cooperative pool stays free.
    public func waitForExit() async -> Termination {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.waitUntilExit()) }
        }
    }

    /// Sends `signal` to the child, unless it has already been reaped (its pid may be reused).
    public func send(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if ended == nil { kill(pid, signal) }
    }

    private func reap(blocking: Bool) -> Termination? {
        lock.lock()
        if let ended {
            lock.unlock()
            return ended
        }
        lock.unlock()
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while result == -1 && errno == EINTR
        lock.lock()
        defer { lock.unlock() }
        if let ended { return ended }  // another thread reaped it meanwhile
        guard result == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which do not import.
        let signal = status & 0x7f
        let termination: Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        ended = termination
        return termination
    }
}

/// Runs a short-lived program to completion; see ``ChildProcess``.
public enum ProgramRun {
    /// Runs `executable` with `arguments` and exactly `environment`, in `directory`, its standard
    /// input `/dev/null` and its standard output and error the file `outputPath` (created or
    /// truncated); returns its exit status (128 + the signal if one ended it).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String, outputPath: String
    ) throws -> Int32 {
        let child = try ChildProcess.start(
            executable, arguments, environment: environment, directory: directory, output: .file(outputPath), errors: .output)
        return child.waitUntilExit().status
    }

    /// Runs `executable` to completion on a dispatch thread; returns its exit status, standard
    /// output and standard error (each through a temporary file).
    public static func capture(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-run-\(UUID().uuidString)")
        let outPath = base.path + ".out", errPath = base.path + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let child = try ChildProcess.start(
            executable, arguments, environment: environment, directory: directory, output: .file(outPath), errors: .file(errPath))
        let status = await child.waitForExit().status
        func text(_ path: String) -> String {
            (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return (status, text(outPath), text(errPath))
    }
}
