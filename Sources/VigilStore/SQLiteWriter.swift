import Dispatch
import Foundation
import Synchronization
import VigilCore

/// The only owner of the store's write connection: it runs units of work in groups, one
/// transaction per group and one savepoint per unit (group commit).
///
/// A unit submitted while the writer is idle starts a group at once, alone: at 1 command a
/// second nothing waits for company. Units submitted while a group runs queue up and form the
/// next group, up to ``maxGroup``, so the group size follows the load with no timer. Each group
/// costs one `COMMIT` (one fsync of the WAL with `durability: full`) however many units it holds.
///
/// A unit that throws is rolled back to its savepoint and fails alone; the others commit. Every
/// caller is resumed only after the group's `COMMIT` has returned, so no reply is ever sent for a
/// change that could still be lost. If the transaction itself fails (`BEGIN`, `COMMIT`, or an
/// error after which SQLite rolled everything back), every unit of the group fails and nothing
/// of it is written.
///
/// All SQLite calls run on one serial `DispatchQueue` (a GCD thread, never Swift's cooperative
/// pool, which a blocking fsync would stall). The connection is touched only there, which is
/// what makes the `@unchecked Sendable` sound; the queue of waiting units is behind a `Mutex`.
final class SQLiteWriter: @unchecked Sendable {
    /// The most units one transaction takes; the rest wait for the next group. It bounds how
    /// long the first unit of a group waits for the last one to be decided.
    static let maxGroup = 256

    /// A unit waiting for a group: `run` does its work on the connection and keeps its result;
    /// `finish` resumes its caller, with the unit's error, the group's, or none.
    struct Job: Sendable {
        let run: @Sendable (SQLiteDatabase) throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct Waiting {
        var jobs: [Job] = []
        /// True from the moment a drain is scheduled until it finds no job left.
        var draining = false
        var closed = false
    }

    private let queue: DispatchQueue
    /// Read and written only on `queue`.
    private var database: SQLiteDatabase?
    private let waiting = Mutex(Waiting())
    private let statistics = Mutex(GroupCommitStatistics())
    private let hooks: StoreHooks

    init(database: SQLiteDatabase, hooks: StoreHooks) {
        self.queue = DispatchQueue(label: "vigil.store.writer", qos: .userInitiated)
        self.database = database
        self.hooks = hooks
    }

    /// Units submitted and not yet taken into a group (tests wait on it to form groups).
    var waitingUnits: Int { waiting.withLock { $0.jobs.count } }

    /// The figures of the groups so far.
    var groupStatistics: GroupCommitStatistics { statistics.withLock { $0 } }

    /// Runs `body` as one unit of the next group and returns its result once the group is durable.
    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let result = ResultBox<T>()
            submit(
                Job(
                    run: { database in result.value = try body(database) },
                    finish: { error in
                        if let error {
                            continuation.resume(throwing: error)
                        } else if let value = result.value {
                            continuation.resume(returning: value)
                        } else {
                            continuation.resume(throwing: StoreError(.failure, "a unit of work finished without a result"))
                        }
                    }))
        }
    }

    /// Runs `body` on the connection outside any group, after the groups already queued: for
    /// set-up and for the reads of a database that has no separate readers (`:memory:`).
    func direct<T: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        guard let database = self.database else { throw StoreError(.failure, "the store is closed") }
                        return try body(database)
                    })
            }
        }
    }

    /// Closes the connection once the units already submitted have finished; later ones fail.
    func close() async {
        waiting.withLock { $0.closed = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                // A submit may have queued a job and not yet scheduled its drain: run it now.
                self.drain()
                self.database = nil
                continuation.resume()
            }
        }
    }

    private func submit(_ job: Job) {
        let startDrain: Bool? = waiting.withLock { waiting in
            guard !waiting.closed else { return nil }
            waiting.jobs.append(job)
            guard !waiting.draining else { return false }
            waiting.draining = true
            return true
        }
        switch startDrain {
        case nil: job.finish(StoreError(.failure, "the store is closed"))
        case true?: queue.async { self.drain() }
        case false?: break
        }
    }

    /// Runs groups on `queue` until no unit is waiting.
    private func drain() {
        while true {
            let group: [Job] = waiting.withLock { waiting in
                guard !waiting.jobs.isEmpty else {
                    waiting.draining = false
                    return []
                }
                if waiting.jobs.count <= Self.maxGroup {
                    defer { waiting.jobs = [] }
                    return waiting.jobs
                }
                let group = Array(waiting.jobs.prefix(Self.maxGroup))
                waiting.jobs.removeFirst(Self.maxGroup)
                return group
            }
            guard !group.isEmpty else { return }
            runGroup(group)
        }
    }

    /// One transaction: a savepoint per job, `COMMIT`, then every caller.
    private func runGroup(_ group: [Job]) {
        guard let database else {
            for job in group { job.finish(StoreError(.failure, "the store is closed")) }
            return
        }
        let started = DispatchTime.now().uptimeNanoseconds
        var outcomes = [(any Error)?](repeating: nil, count: group.count)
        var groupFailure: (any Error)?
        do {
            try database.begin()
            for (index, job) in group.enumerated() {
                do {
                    try database.savepoint { try job.run(database) }
                } catch {
                    outcomes[index] = error
                    // SQLite rolled back the whole transaction (a full disk, an I/O error):
                    // the units before this one are gone too.
                    guard database.isInTransaction else { throw error }
                }
            }
            try hooks.beforeCommit?(group.count)
            try database.commit()
        } catch {
            groupFailure = error
            database.rollback()
        }
        if groupFailure == nil { hooks.afterCommit?(group.count) }
        let elapsed = DispatchTime.now().uptimeNanoseconds &- started
        statistics.withLock { $0.record(size: group.count, nanoseconds: elapsed) }
        hooks.groupFinished?(group.count, elapsed)
        for (index, job) in group.enumerated() {
            // A unit that failed on its own says why; the others share the group's failure.
            job.finish(outcomes[index] ?? groupFailure)
        }
    }
}

/// Carries one unit's result from the writer's queue to its caller's continuation; written once
/// on the queue before `finish`, read once in `finish`, on the same queue.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
