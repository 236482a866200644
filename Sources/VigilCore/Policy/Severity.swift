/// A severity level from config, most urgent first; its targets drive the SLA clocks.
public struct Severity: Sendable, Equatable {
    /// `sev1`, `sev2`, …
    public var name: String
    /// Time to acknowledge, from `known_at` or opening.
    public var ack: Duration?
    /// Time to resolve.
    public var resolve: Duration?

    public init(name: String, ack: Duration? = nil, resolve: Duration? = nil) {
        self.name = name
        self.ack = ack
        self.resolve = resolve
    }
}

/// An incident category from config.
public struct Category: Sendable, Equatable {
    /// `fraud`, `moderation`, `child-safety`, …
    public var name: String
    /// Restricted incidents are never described in open channels: ID, severity and category only.
    public var restricted: Bool

    public init(name: String, restricted: Bool = false) {
        self.name = name
        self.restricted = restricted
    }
}
