import Dispatch
import Foundation

/// Copies the write-ahead log back into the database file from a connection and a queue of its
/// own, every half second.
///
/// SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages, with its
/// fsyncs, on the store's one queue: at 1,000 commands/s that stalled a command about every 80
/// (the end-to-end benchmark's p99). The store turns the automatic checkpoint off and leaves the
/// work here. A `PASSIVE` checkpoint never blocks a writer; whatever it cannot copy (frames a
/// reader still needs) waits for the next round.
final class WALCheckpointer: @unchecked Sendable {
    private let queue = DispatchQueue(label: "vigil.store.checkpoint")
    /// Read and written only on `queue`.
    private var database: SQLiteDatabase?
    private let timer: any DispatchSourceTimer

    init(path: String, busyTimeoutMilliseconds: Int32, interval: DispatchTimeInterval = .milliseconds(500)) throws {
        let database = try SQLiteDatabase(path: path)
        try database.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        self.database = database
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [unowned self] in self.checkpoint() }
        timer.resume()
    }

    /// Runs on `queue`. A failure (the disk is full, the file is gone) is left for the store's
    /// own writes to report; the WAL keeps every commit meanwhile.
    private func checkpoint() {
        _ = try? database?.queryFirst("PRAGMA wal_checkpoint(PASSIVE)") { $0.int(0) }
    }

    /// Stops the timer and closes the connection, after a checkpoint already running.
    func stop() {
        queue.sync {
            timer.cancel()
            database = nil
        }
    }
}
