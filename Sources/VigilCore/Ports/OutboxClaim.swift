import Foundation

/// What one budgeted claim of the outbox hands the delivery service.
public struct OutboxClaim: Sendable, Equatable {
    /// Rows to post one by one, most urgent first (reply, legal breach, breach, escalation,
    /// warning, other; then oldest), leased to the claiming worker.
    public var rows: [OutboxRow]
    /// Per channel, the pending alerts beyond its budget, leased to the claiming worker: the
    /// delivery service folds each group into one summary post with
    /// ``IncidentStore/coalesceOutbox(_:into:worker:at:)``.
    public var overflow: [OutboxOverflow]

    public init(rows: [OutboxRow], overflow: [OutboxOverflow] = []) {
        self.rows = rows
        self.overflow = overflow
    }
}

/// The pending alerts of one channel that its budget has no room for.
public struct OutboxOverflow: Sendable, Equatable {
    public var channel: ChannelRole
    /// The rows' ids, in delivery order.
    public var ids: [Int64]
    /// The incidents they are about, ascending, each once.
    public var incidents: [Int]
    /// How many of each kind.
    public var counts: [OutboxPriority: Int]

    public init(channel: ChannelRole, ids: [Int64], incidents: [Int], counts: [OutboxPriority: Int]) {
        self.channel = channel
        self.ids = ids
        self.incidents = incidents
        self.counts = counts
    }
}
