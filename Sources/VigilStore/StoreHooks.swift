import Foundation

/// Seams into the SQLite store's writer and readers, for tests and benchmarks that need to hold
/// a group open, see when it became durable, or slow a read down. Production passes only
/// ``groupFinished``, for the app's metrics.
public struct StoreHooks: Sendable {
    /// Called on the writer with the group's size after its last unit and before `COMMIT`;
    /// throwing fails the whole group, as a failing `COMMIT` would.
    public var beforeCommit: (@Sendable (Int) throws -> Void)?
    /// Called on the writer with the group's size once `COMMIT` has returned, before any of its
    /// callers is resumed.
    public var afterCommit: (@Sendable (Int) -> Void)?
    /// Called on a reader before each read, with the read's name (`report`, `incident`, …).
    public var beforeRead: (@Sendable (String) -> Void)?
    /// Called on the writer after each group, committed or failed, with its size and the
    /// nanoseconds from `BEGIN` to the end of `COMMIT`: the app's metrics, which the store does
    /// not know (a closure keeps the metrics library out of this adapter).
    public var groupFinished: (@Sendable (_ size: Int, _ nanoseconds: UInt64) -> Void)?

    public init(
        beforeCommit: (@Sendable (Int) throws -> Void)? = nil, afterCommit: (@Sendable (Int) -> Void)? = nil,
        beforeRead: (@Sendable (String) -> Void)? = nil, groupFinished: (@Sendable (Int, UInt64) -> Void)? = nil
    ) {
        self.beforeCommit = beforeCommit
        self.afterCommit = afterCommit
        self.beforeRead = beforeRead
        self.groupFinished = groupFinished
    }
}

/// How the writer's groups have gone since the store opened: what group commit buys under load.
public struct GroupCommitStatistics: Sendable, Equatable {
    /// Transactions committed (or failed as a whole).
    public var groups = 0
    /// Units of work (and raw writes) run in them.
    public var units = 0
    /// The largest group.
    public var largestGroup = 0
    /// Groups by size: index `i` counts groups of `2^i ... 2^(i+1) - 1` units.
    public var sizeBuckets = [Int](repeating: 0, count: 10)
    /// Time spent inside groups, from `BEGIN` to the end of `COMMIT`.
    public var busyNanoseconds: UInt64 = 0

    public init() {}

    /// Mean units per group.
    public var meanGroupSize: Double { groups == 0 ? 0 : Double(units) / Double(groups) }

    mutating func record(size: Int, nanoseconds: UInt64) {
        groups += 1
        units += size
        largestGroup = max(largestGroup, size)
        let bucket = min(sizeBuckets.count - 1, Int.bitWidth - 1 - max(size, 1).leadingZeroBitCount)
        sizeBuckets[bucket] += 1
        busyNanoseconds += nanoseconds
    }
}
