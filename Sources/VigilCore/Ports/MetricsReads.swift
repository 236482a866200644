import Foundation

/// Reads for `GET /metrics`: the counts a scrape turns into gauges, grouped so that every label
/// value is bounded (a severity, a category, a state, a clock kind: never an incident or a title).
/// The outbox by channel, the breached count and the next deadline come from ``StatusReads``.
public protocol MetricsReads: Sendable {
    /// Unresolved incidents by severity, category and state, and the clocks of unresolved
    /// incidents by kind and state, from one snapshot.
    func metricsCounts() async throws -> StoreMetricsCounts
}

/// What ``MetricsReads/metricsCounts()`` found.
public struct StoreMetricsCounts: Sendable, Equatable {
    /// Unresolved incidents sharing a severity, a category and a state.
    public struct Incidents: Sendable, Equatable {
        public var severity: String
        public var category: String
        public var state: IncidentState
        public var count: Int

        public init(severity: String, category: String, state: IncidentState, count: Int) {
            self.severity = severity
            self.category = category
            self.state = state
            self.count = count
        }
    }

    /// Clocks of unresolved incidents sharing a kind and a state.
    public struct Clocks: Sendable, Equatable {
        public var kind: ClockKind
        public var state: ClockState
        public var count: Int

        public init(kind: ClockKind, state: ClockState, count: Int) {
            self.kind = kind
            self.state = state
            self.count = count
        }
    }

    public var incidents: [Incidents]
    public var clocks: [Clocks]

    public init(incidents: [Incidents], clocks: [Clocks]) {
        self.incidents = incidents
        self.clocks = clocks
    }
}
