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
            try narrow(path, followingLinks: true)
        } else {
            throw failure("create", path)
        }
        for suffix in companionSuffixes {
            try narrow(path + suffix, followingLinks: false)
        }
    }

    /// Clears the group and other bits of an existing file; a file already private is left
    /// alone, and so is a companion that is missing (SQLite will create it with the database's
    /// mode), unreadable or a symbolic link.
    ///
    /// By path, never through a descriptor of its own: closing any descriptor on a file drops
    /// every POSIX lock this process holds on it, and the store's other connections hold theirs
    /// on the database and its `-shm` (the one that tells SQLite it is not the last connection).
    /// Without them, another process closing the database (`vigil report`, `vigil audit`) takes
    /// itself for the last one and deletes the WAL this process is still writing to.
    private static func narrow(_ path: String, followingLinks: Bool) throws(SQLiteError) {
        var status = stat()
        guard (followingLinks ? stat(path, &status) : lstat(path, &status)) == 0 else {
            if followingLinks { throw failure("stat", path) }
            return
        }
        guard followingLinks || status.st_mode & S_IFMT == S_IFREG else { return }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 != 0 else { return }
        guard chmod(path, mode & 0o700) == 0 else { throw failure("chmod", path) }
    }

    private static func failure(_ operation: String, _ path: String) -> SQLiteError {
        let code = errno
        // SQLITE_CANTOPEN: what SQLite itself reports for a file it cannot open.
        return SQLiteError(
            code: SQLITE_CANTOPEN,
            message: "\(operation) \(path): \(String(cString: strerror(code)))", statement: "open")
    }
}
