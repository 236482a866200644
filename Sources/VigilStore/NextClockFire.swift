import VigilCore

/// When the next running clock becomes claimable, worked out the same way by both stores.
///
/// A running row is claimable once it is due and any lease on it has run out: at
/// `max(next_fire_at_ms, lease_until_ms)`. A `min()` of that over every running clock reads the
/// whole table (hundreds of milliseconds at 100,000 incidents on SQLite, tens on PostgreSQL,
/// measured by `make bench`), and the scheduler asks before every sleep. Instead each store reads
/// the first ``window`` rows of its next-fire index in order: the first row whose lease does not
/// delay it bounds the answer, since every later row is due no earlier, and the leased rows
/// before it are the few claims in flight. Only when a whole window is leased ahead of any free
/// row does the store fall back to the full minimum.
enum NextClockFire {
    /// Rows read from the index before falling back to the full minimum.
    static let window = 256

    /// The window: `?` is ``window``. Both stores have an index this walks in order
    /// (`clocks_next_fire`), so it reads `window` entries at most, never the table.
    static let windowSQL = """
        SELECT next_fire_at_ms, lease_until_ms FROM clocks
        WHERE state = 'running' AND next_fire_at_ms IS NOT NULL
        ORDER BY next_fire_at_ms LIMIT ?
        """

    /// One row of the window: when it is due, and when its lease ends, if it has one.
    struct Row: Sendable {
        var next: Int64
        var lease: Int64?
    }

    /// What the window says.
    enum Answer: Equatable {
        /// The earliest claimable time (`nil`: no running clock has a next fire time).
        case earliest(Int64?)
        /// Every row of a full window is leased past its fire time: take the full minimum.
        case beyondWindow
    }

    /// The answer from `rows`, the window in `next` order.
    static func earliest(in rows: [Row]) -> Answer {
        var earliest: Int64?
        for row in rows {
            let ready = max(row.next, row.lease ?? row.next)
            earliest = min(earliest ?? ready, ready)
            if ready == row.next { return .earliest(earliest) }
        }
        return rows.count == window ? .beyondWindow : .earliest(earliest)
    }

    static let corrupt = StoreError(.failure, "clocks.next_fire_at_ms or clocks.lease_until_ms is not an integer")
}
