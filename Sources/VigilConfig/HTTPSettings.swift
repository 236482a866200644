/// How long the HTTP server waits on a client, and how many clients it serves at once
/// (`http:` in `vigil.yaml`). Slack and Mattermost send a small request and read the answer at
/// once; these bounds are for clients that do not, so they cannot hold sockets and memory.
public struct HTTPSettings: Sendable, Equatable {
    /// A connection with no request in progress is closed after this long.
    public var idleTimeout: Duration
    /// A request's headers must all arrive within this long of its first byte.
    public var headerTimeout: Duration
    /// A request's body must all arrive within this long of its headers.
    public var readTimeout: Duration
    /// At most this many connections are open at once; a new one beyond it first closes the
    /// connection that has been waiting on its client the longest, and is refused with 503 only
    /// when every open connection has a request being answered.
    public var maxConnections: Int

    /// The defaults.
    public static let defaults = HTTPSettings()

    public init(
        idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(30),
        maxConnections: Int = 1024
    ) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
        self.maxConnections = maxConnections
    }
}
