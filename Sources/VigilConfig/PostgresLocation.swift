import Foundation

/// A PostgreSQL database named by a URL: `database: postgres://USER:PASSWORD@HOST:PORT/DATABASE`
/// (or `postgresql://`), with `sslmode` and `application_name` as the only query parameters.
///
/// The password is kept for connecting but never shown: ``description`` and the mirror (what
/// `dump` and test failures print) write `***` in its place, and ``parse(_:)`` names the problem
/// in its errors, never the text around it, because the URL may hold the password.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// Whether the connection is encrypted, from the URL's `sslmode`.
    ///
    /// libpq's six modes fold into three: `allow` into ``prefer``, `verify-ca` and `verify-full`
    /// into ``require``.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP (`sslmode=disable`).
        case disable
        /// TLS when the server offers it, else plain TCP (`sslmode=prefer`, and `allow`). The
        /// default when the URL has no `sslmode`, as in libpq.
        case prefer
        /// TLS or no connection, with the default certificate verification: the server's
        /// certificate must chain to a trusted root and name `host`. That is what `verify-ca` and
        /// `verify-full` ask for, so they map here; note that it is stricter than libpq's
        /// `require`, which encrypts without checking the certificate.
        case require

        /// The mode for a libpq `sslmode` value; `nil` for anything else.
        public init?(sslmode: String) {
            switch sslmode {
            case "disable": self = .disable
            case "allow", "prefer": self = .prefer
            case "require", "verify-ca", "verify-full": self = .require
            default: return nil
            }
        }
    }

    /// PostgreSQL's port, used when the URL gives none.
    public static let defaultPort = 5432

    /// A name or address; IPv6 without brackets (`::1`).
    public var host: String
    public var port: Int
    public var user: String
    /// `nil` when the URL has none (or an empty one): the server then decides, e.g. by `trust`
    /// or a client certificate.
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Shown in `pg_stat_activity`; `nil` leaves it to the store.
    public var applicationName: String?

    public init(
        host: String, port: Int = defaultPort, user: String, password: String? = nil, database: String,
        tls: TLSMode = .prefer, applicationName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.applicationName = applicationName
    }

    /// Parses `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&application_name=…]`.
    ///
    /// The user name, password, database and parameter values are percent-decoded, so a password
    /// holding `/` or `%` is written `%2F`, `%25` (`@`, `:` and `#` may also be typed raw). The
    /// user and database must be given (no fallback to the login name, as in libpq), and one host.
    public static func parse(_ text: String) throws(ConfigValueError) -> PostgresLocation {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let scheme = ["postgresql://", "postgres://"].first(where: { trimmed.prefix($0.count).lowercased() == $0 }) else {
            throw invalid("it must start with postgres:// or postgresql://")
        }
        let rest = trimmed.dropFirst(scheme.count)
        // The authority ends at the first `/`; a URL without one names no database.
        guard let slash = rest.firstIndex(of: "/") else { throw invalid("no database name (end the URL with /DATABASE)") }
        // A `/` typed raw in the password ends the authority early and leaves the `@` after it.
        // Refusing any `@` there also keeps every later message (which may quote a parameter)
        // free of password text.
        guard !rest[slash...].contains("@") else {
            throw invalid("\"@\" after the host: percent-encode \"/\" in a user name or password as %2F, and \"@\" elsewhere as %40")
        }
        let authority = rest[..<slash]

        // `@` may be typed raw in the password: the last one ends the user information.
        guard let at = authority.lastIndex(of: "@") else { throw invalid("no user name (write USER@ before the host)") }
        let userInfo = authority[..<at]
        let colon = userInfo.firstIndex(of: ":")
        guard let user = userInfo[..<(colon ?? userInfo.endIndex)].removingPercentEncoding else {
            throw invalid("the user name is not valid percent-encoding")
        }
        guard !user.isEmpty else { throw invalid("no user name (write USER@ before the host)") }
        var password: String?
        if let colon {
            guard let decoded = userInfo[userInfo.index(after: colon)...].removingPercentEncoding else {
                throw invalid("the password is not valid percent-encoding (write % as %25)")
            }
            password = decoded.isEmpty ? nil : decoded
        }
        let (host, port) = try hostAndPort(authority[authority.index(after: at)...])

        let query = rest[slash...].firstIndex(of: "?")
        let path = rest[rest.index(after: slash)..<(query ?? rest.endIndex)]
        guard !path.contains("/") else { throw invalid("the path must be one database name (write a \"/\" in it as %2F)") }
        guard let database = path.removingPercentEncoding else { throw invalid("the database name is not valid percent-encoding") }
        guard !database.isEmpty else { throw invalid("no database name (end the URL with /DATABASE)") }

        var location = PostgresLocation(host: host, port: port, user: user, password: password, database: database)
        if let query { try location.apply(parameters: rest[rest.index(after: query)...]) }
        return location
    }

    /// `HOST`, `HOST:PORT`, `[IPv6]` or `[IPv6]:PORT`.
    private static func hostAndPort(_ text: Substring) throws(ConfigValueError) -> (host: String, port: Int) {
        let host: Substring
        let portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("an IPv6 address is missing its \"]\"") }
            host = text[text.index(after: text.startIndex)..<close]
            guard !host.isEmpty, host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw invalid("the address in [brackets] is not an IPv6 address")
            }
            let after = text[text.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw invalid("only :PORT may follow an IPv6 address's \"]\"") }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else {
            // libpq accepts `host1,host2` for fail-over; Vigil connects to one server.
            guard !text.contains(",") else { throw invalid("several hosts are not supported; name one") }
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw invalid("write an IPv6 address in brackets, e.g. [::1]:5432") }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard !host.isEmpty else { throw invalid("no host name (write it after the @)") }
            if let bad = host.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_")) }) {
                throw invalid("the host name holds \"\(bad)\"")
            }
        }
        guard let portText else { return (String(host), defaultPort) }
        // Port 0 would mean "any" to a listener, never a server to connect to.
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65_535).contains(port) else {
            throw invalid("the port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }

    /// Applies `sslmode=…&application_name=…`, refusing any other parameter so that a misspelt
    /// one (`ssl_mode`) is not silently ignored.
    private mutating func apply(parameters text: Substring) throws(ConfigValueError) {
        var seen: Set<String> = []
        for pair in text.split(separator: "&") {
            guard let equals = pair.firstIndex(of: "=") else {
                throw Self.invalid("parameter \"\(pair.removingPercentEncoding ?? String(pair))\" needs a value (NAME=VALUE)", usage: false)
            }
            guard let name = pair[..<equals].removingPercentEncoding, let value = pair[pair.index(after: equals)...].removingPercentEncoding
            else { throw Self.invalid("a parameter is not valid percent-encoding", usage: false) }
            guard seen.insert(name).inserted else { throw Self.invalid("parameter \"\(name)\" is given twice", usage: false) }
            switch name {
            case "sslmode":
                guard let mode = TLSMode(sslmode: value) else {
                    throw Self.invalid(
                        "unknown sslmode \"\(value)\" (use disable, allow, prefer, require, verify-ca or verify-full)", usage: false)
                }
                tls = mode
            case "application_name":
                applicationName = value.isEmpty ? nil : value
            default:
                throw Self.invalid("unknown parameter \"\(name)\" (only sslmode and application_name are accepted)", usage: false)
            }
        }
    }

    /// An error naming `problem`, never the URL: it may hold a password.
    private static func invalid(_ problem: String, usage: Bool = true) -> ConfigValueError {
        ConfigValueError(
            "invalid PostgreSQL URL: \(problem)" + (usage ? " (use postgres://USER:PASSWORD@HOST:PORT/DATABASE)" : ""))
    }

    /// The URL with `***` for the password, e.g. `postgres://vigil:***@db:5432/vigil`; parsing it
    /// gives this location back, but for the password.
    public var description: String {
        var text = "postgres://" + Self.encode(user) + (password == nil ? "" : ":***") + "@"
        text += (host.contains(":") ? "[\(host)]" : host) + ":\(port)/" + Self.encode(database)
        var parameters: [String] = []
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if let applicationName { parameters.append("application_name=" + Self.encode(applicationName)) }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// The fields with the password masked, so that `dump` and test failures do not print it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "user": user, "password": password.map { _ in "***" } as Any,
                "database": database, "tls": tls, "applicationName": applicationName as Any,
            ],
            displayStyle: .struct)
    }

    /// RFC 3986's unreserved characters: all that a URL part may hold unencoded.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encode(_ part: String) -> String {
        part.addingPercentEncoding(withAllowedCharacters: unreserved) ?? part
    }
}
