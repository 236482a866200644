import CSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a database's files private to its owner (mode 0600): they hold restricted titles, notes
/// and evidence in clear.
///
/// SQLite creates a new database as 0644 less the umask, and gives its `-wal`, `-shm` and
/// `-journal` files the database file's mode. So the database file is created here first, with
/// 0600 set by `fchmod` (which the umask does not touch), before SQLite opens it; files left
/// readable by others by an older Vigil are narrowed to their owner's bits.
enum DatabaseFileMode {
    /// The companion files SQLite keeps beside a database.
    static let companionSuffixes = ["-wal", "-shm", "-journal"]

    /// True when `path` names a file on disk (not `:memory:`, a temporary database or a URI).
    static func isFile(_ path: String) -> Bool {
        !path.isEmpty && path != ":memory:" && !path.hasPrefix("file:")
    }

    /// Creates `path` 0600 if it does not exist, and removes group and other permissions from it
    /// and its companions if they do. Failures are the caller's to report.
    static func makePrivate(_ path: String) throws(SQLiteError) {
        guard isFile(path) else { return }
        let created = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if created >= 0 {
            defer { close(created) }
            // Exactly 0600, whatever the umask took away from the mode asked for.
            guard fchmod(created, 0o600) == 0 else { throw failure("chmod 0600", path) }
        } else if errno == EEXIST {
            let existing = open(path, O_RDONLY | O_CLOEXEC)
            guard existing >= 0 else { throw failure("open", path) }
            defer { close(existing) }
            try narrow(descriptor: existing, path: path)
        } else {
            throw failure("create", path)
        }
        for suffix in companionSuffixes {
            let companion = path + suffix
            let file = open(companion, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard file >= 0 else { continue }  // not there: SQLite will create it with the database's mode
            defer { close(file) }
            try narrow(descriptor: file, path: companion)
        }
    }

    /// Clears the group and other bits of an open file; a file already private is left alone.
    private static func narrow(descriptor: Int32, path: String) throws(SQLiteError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("stat", path) }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 != 0 else { return }
        guard fchmod(descriptor, mode & 0o700) == 0 else { throw failure("chmod", path) }
    }

    private static func failure(_ operation: String, _ path: String) -> SQLiteError {
        let code = errno
        // SQLITE_CANTOPEN: what SQLite itself reports for a file it cannot open.
        return SQLiteError(
            code: SQLITE_CANTOPEN,
            message: "\(operation) \(path): \(String(cString: strerror(code)))", statement: "open")
    }
}
