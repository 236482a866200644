import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-mode checks for the data-at-rest tests: what a file's permission bits are, and a
/// permissive umask to create files under, as most machines have.
public enum FilePermissions {
    /// The permission bits of `path` (`0o600`), or `nil` when it does not exist.
    public static func bits(of path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o777
    }

    /// Runs `body` with the umask at 022, restoring the previous one afterwards. A 022 umask
    /// would leave new files 0644: the code under test must narrow them itself.
    public static func withPermissiveUmask<T>(_ body: () async throws -> T) async rethrows -> T {
        let previous = umask(0o022)
        defer { umask(previous) }
        return try await body()
    }

    /// The synchronous form of ``withPermissiveUmask(_:)``.
    public static func withPermissiveUmask<T>(_ body: () throws -> T) rethrows -> T {
        let previous = umask(0o022)
        defer { umask(previous) }
        return try body()
    }
}
