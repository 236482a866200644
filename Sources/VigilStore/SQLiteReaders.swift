import Dispatch
import Foundation
import Synchronization
import VigilCore

/// Read-only WAL connections beside the writer, so views, `list`, `/readyz` and reports never
/// queue behind a group of writes, and a year-long report never holds up a view.
///
/// A WAL reader sees the last committed transaction when its read begins and is never blocked
/// by the writer. Two connections serve views, each on its own serial queue, picked by fewest
/// reads in flight; one more serves reports on a `.utility` queue, so a report's scan gives
/// the two cores to commands first. Each connection has `query_only` set: a bug that writes
/// through a reader fails instead of racing the writer.
final class SQLiteReaders: @unchecked Sendable {
    /// Which connection a read goes to.
    enum Lane: Sendable {
        case view
        case report
    }

    private final class Reader: @unchecked Sendable {
        let queue: DispatchQueue
        /// Read and written only on `queue`.
        var database: SQLiteDatabase?

        init(label: String, qos: DispatchQoS, database: SQLiteDatabase) {
            queue = DispatchQueue(label: label, qos: qos)
            self.database = database
        }
    }

    static let viewReaders = 2

    private let views: [Reader]
    private let report: Reader
    /// Reads in flight per view reader.
    private let inFlight: Mutex<[Int]>
    private let hooks: StoreHooks

    init(path: String, busyTimeoutMilliseconds: Int32, hooks: StoreHooks) throws {
        func connection() throws -> SQLiteDatabase {
            let database = try SQLiteDatabase(path: path)
            try database.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
            try database.execute("PRAGMA query_only = ON")
            return database
        }
        views = try (0..<Self.viewReaders).map { index in
            Reader(label: "vigil.store.reader.\(index)", qos: .userInitiated, database: try connection())
        }
        report = Reader(label: "vigil.store.reader.report", qos: .utility, database: try connection())
        inFlight = Mutex([Int](repeating: 0, count: Self.viewReaders))
        self.hooks = hooks
    }

    /// Runs `body` in a read transaction (one snapshot) on a reader of `lane`.
    func read<T: Sendable>(
        _ name: String, lane: Lane, _ body: @escaping @Sendable (SQLiteDatabase) throws -> T
    ) async throws -> T {
        let index: Int? =
            lane == .report
            ? nil
            : inFlight.withLock { counts in
                let index = counts.indices.min { counts[$0] < counts[$1] } ?? 0
                counts[index] += 1
                return index
            }
        let reader = index.map { views[$0] } ?? report
        defer { if let index { inFlight.withLock { $0[index] -= 1 } } }
        let hooks = hooks
        return try await withCheckedThrowingContinuation { continuation in
            reader.queue.async {
                continuation.resume(
                    with: Result {
                        guard let database = reader.database else { throw StoreError(.failure, "the store is closed") }
                        hooks.beforeRead?(name)
                        return try database.readTransaction { try body(database) }
                    })
            }
        }
    }

    /// Closes every reader after the reads already queued on it.
    func close() async {
        for reader in views + [report] {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                reader.queue.async {
                    reader.database = nil
                    continuation.resume()
                }
            }
        }
    }
}
