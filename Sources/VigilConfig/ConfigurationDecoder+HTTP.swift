import VigilCore
import Yams

/// `http:`, the HTTP server's timeouts and connection cap; every key is optional:
///
/// ```yaml
/// http: {idle_timeout: 60s, header_timeout: 10s, read_timeout: 30s, max_connections: 1024}
/// ```
extension ConfigurationDecoder {
    static let httpKeys = ["idle_timeout", "header_timeout", "read_timeout", "max_connections"]

    /// The largest `max_connections`: far above what one process can hold open.
    static let maxConnectionsLimit = 1_000_000

    func http(_ node: Node?) -> HTTPSettings {
        var settings = HTTPSettings.defaults
        guard let node, let fields = reader.fields(of: node, at: "http", known: Self.httpKeys) else { return settings }
        if let value = fields["idle_timeout"],
           let timeout = boundedDuration(value, at: "http.idle_timeout", within: .seconds(1) ... .seconds(86_400))
        {
            settings.idleTimeout = timeout
        }
        if let value = fields["header_timeout"],
           let timeout = boundedDuration(value, at: "http.header_timeout", within: .seconds(1) ... .seconds(600))
        {
            settings.headerTimeout = timeout
        }
        if let value = fields["read_timeout"],
           let timeout = boundedDuration(value, at: "http.read_timeout", within: .seconds(1) ... .seconds(3_600))
        {
            settings.readTimeout = timeout
        }
        if let value = fields["max_connections"],
           let count = reader.int(value, at: "http.max_connections", in: 1 ... Self.maxConnectionsLimit)
        {
            settings.maxConnections = count
        }
        return settings
    }

    /// A duration in `range`, reported at the node when it is outside.
    func boundedDuration(_ node: Node, at path: String, within range: ClosedRange<Duration>) -> Duration? {
        guard let duration = reader.duration(node, at: path) else { return nil }
        guard range.contains(duration) else {
            let low = DurationText.configForm(range.lowerBound), high = DurationText.configForm(range.upperBound)
            reader.error("\(path) must be between \(low) and \(high), found \(DurationText.configForm(duration))", at: node)
            return nil
        }
        return duration
    }
}
