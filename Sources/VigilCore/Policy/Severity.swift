/// A severity level from config, most urgent first; its targets drive the SLA clocks.
public struct Severity: Sendable, Equatable {
    /// `sev1`, `sev2`, …
    public var name: String
    /// Time to acknowledge, from `known_at` or opening.
    public var ack: Duration?
    /// Time to resolve.
    public var resolve: Duration?
    /// Warn on-call at these fractions of each clock's span (0.75 = at 75 %), ascending.
    public var warn: [Double]
    /// Re-alert this often while a clock is breached and still running.
    public var `repeat`: Duration?

    public init(name: String, ack: Duration? = nil, resolve: Duration? = nil, warn: [Double] = [], repeat: Duration? = nil) {
        self.name = name
        self.ack = ack
        self.resolve = resolve
        self.warn = warn
        self.repeat = `repeat`
    }
}

/// An incident category from config.
public struct Category: Sendable, Equatable {
    /// `fraud`, `moderation`, `child-safety`, …
    public var name: String
    /// Restricted incidents are never described in open channels: ID, severity and category only.
    public var restricted: Bool
    /// A legal clock every incident of this category runs (a playbook's own `legal` replaces it).
    public var legal: LegalClock?

    public init(name: String, restricted: Bool = false, legal: LegalClock? = nil) {
        self.name = name
        self.restricted = restricted
        self.legal = legal
    }
}
