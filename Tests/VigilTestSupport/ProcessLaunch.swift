import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a short-lived program to completion through `posix_spawn`, without Foundation's `Process`.
///
/// On Linux, swift-corelibs-foundation's `Process.run()` (Swift 6.3.1) over-reads a `dirent`
/// while it lists `/proc/self/fd` (swiftlang/swift-corelibs-foundation#5472, fixed upstream) and
/// crashes now and then when the record ends a page; a full test run, with many descriptors open
/// and a PostgreSQL database created per test, met it about one run in three. The tests' most
/// frequent launches (PostgreSQL's tools) go through here instead.
public enum ProgramRun {
    /// Why a program could not be started.
    public struct LaunchError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `executable` with `arguments` and exactly `environment`, in `directory`, its standard
    /// input `/dev/null` and its standard output and error the file `outputPath` (created or
    /// truncated); returns its exit status (128 + the signal if one ended it).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String, outputPath: String
    ) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
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
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw LaunchError(description: "waitpid \(executable): \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which do not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
