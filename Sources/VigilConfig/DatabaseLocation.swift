import Foundation

/// Where incidents are stored: `database: sqlite:vigil.sqlite` or
/// `database: postgres://USER:PASSWORD@HOST:PORT/DATABASE`, or `--database URL`.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file; the path is absolute once resolved against the config file's directory.
    case sqlite(path: String)
    /// A PostgreSQL server; its description hides the password.
    case postgres(PostgresLocation)

    /// The SQLite file path, when the database is SQLite.
    public var sqlitePath: String? {
        switch self {
        case let .sqlite(path): path
        case .postgres: nil
        }
    }

    /// The PostgreSQL server, when the database is PostgreSQL.
    public var postgres: PostgresLocation? {
        switch self {
        case .sqlite: nil
        case let .postgres(location): location
        }
    }

    /// Parses `sqlite:PATH` (relative paths resolve against `directory`; `sqlite::memory:` is kept
    /// as is) or a PostgreSQL URL (``PostgresLocation/parse(_:)``).
    public static func parse(_ text: String, relativeTo directory: String) throws(ConfigValueError) -> DatabaseLocation {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lowered = trimmed.lowercased()
        // `postgres:` without `//` goes there too, to be told how a PostgreSQL URL starts.
        if lowered.hasPrefix("postgres:") || lowered.hasPrefix("postgresql:") {
            return .postgres(try PostgresLocation.parse(trimmed))
        }
        guard lowered.hasPrefix("sqlite:") else {
            // Only the scheme is repeated: the rest may hold a password.
            let scheme = trimmed.split(separator: ":", maxSplits: 1).first.map(String.init) ?? trimmed
            throw ConfigValueError(
                "unsupported database \"\(scheme):…\" (use sqlite:PATH, e.g. sqlite:vigil.sqlite, "
                    + "or postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        var path = String(trimmed.dropFirst("sqlite:".count))
        // `sqlite:///var/lib/vigil.sqlite` is the URL spelling of an absolute path.
        if path.hasPrefix("///") { path.removeFirst(2) }
        guard !path.isEmpty, !path.hasPrefix("//") else {
            throw ConfigValueError("invalid database \"\(trimmed)\" (use sqlite:PATH, e.g. sqlite:vigil.sqlite)")
        }
        if path == ":memory:" { return .sqlite(path: path) }
        return .sqlite(path: ConfigPaths.resolve(path, relativeTo: directory))
    }

    public var description: String {
        switch self {
        case let .sqlite(path): "sqlite:\(path)"
        case let .postgres(location): location.description
        }
    }
}

/// Path resolution shared by the config's file and directory keys.
enum ConfigPaths {
    /// `path` if absolute, else `directory/path`, normalised (no `.` or `..`).
    static func resolve(_ path: String, relativeTo directory: String) -> String {
        // No `~` expansion: it would read HOME, and config values come only from the file and
        // the environment passed in.
        let joined = path.hasPrefix("/") ? path : NSString(string: directory).appendingPathComponent(path)
        return NSString(string: joined).standardizingPath
    }

    /// The directory holding `file`, absolute.
    static func directory(of file: String, workingDirectory: String) -> String {
        let absolute = resolve(file, relativeTo: workingDirectory)
        return NSString(string: absolute).deletingLastPathComponent
    }
}
