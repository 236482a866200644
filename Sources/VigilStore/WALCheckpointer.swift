import Dispatch
import Foundation

/// Copies the write-ahead log back into the database file from a connection and a queue of its
/// own, every half second, with a `PASSIVE` checkpoint (which never blocks a writer).
///
/// SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 pages of log, fsyncs
/// included, on the store's one queue: at 1,000 commands/s that stalled a command about every 80
/// (the end-to-end benchmark's p99). With the copying done here first, the commit that crosses
/// the threshold finds little left to copy. The threshold stays, as the bound: a store written
/// to without pause never sees a background checkpoint finish with nothing left, so without it
/// the log would never restart and would grow without end (the scheduler benchmark's seeding
/// reached 9 GB with the automatic checkpoint off). Raising it to 4,000 pages made the p99 at
/// 1,000 commands/s worse (18 ms against 11 ms), so it stays at SQLite's default.
final class WALCheckpointer: @unchecked Sendable {
    /// The store's automatic checkpoint threshold, in pages (of 4 KiB): SQLite's default.
    static let autocheckpointPages = 1000
    /// What a restarted log is cut back to.
    static let journalSizeLimit = 4 * 1024 * 1024

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
