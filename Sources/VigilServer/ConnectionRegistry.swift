import NIOCore
import Synchronization

/// The connections one server has open, across its event loops, and the cap on them.
///
/// Sockets that never finish a request (idle ones, or a slowloris run sending its headers a
/// byte at a time) each hold a file descriptor and memory until their timeout. At the cap, a new
/// connection takes the place of the connection that has been waiting on its client the longest,
/// which is closed; only when every open connection has a request being answered is the new one
/// refused. So a flood of stalled sockets cannot keep `/healthz` (or Slack) out, and the process
/// never holds more than ``limit`` connections.
final class ConnectionRegistry: Sendable {
    /// What becomes of a new connection.
    enum Admission {
        /// Admitted under `id`; `evicted` is a stalled connection to close to make room.
        case admitted(id: Int, evicted: (any Channel)?)
        /// Over the cap with nothing to evict.
        case refused
    }

    private struct Entry {
        let channel: any Channel
        /// True while a complete request is being answered: never evicted then.
        var answering: Bool
        /// Since when the connection has been waiting on its client (opened, or last answered).
        var waitingSince: NIODeadline
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextID = 0
        /// When the cap was last reported, so a flood logs once a minute, not once a connection.
        var lastReported: NIODeadline?
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// How many connections are open.
    var count: Int { state.withLock { $0.entries.count } }

    /// Admits `channel` opened at `now`, evicting the longest-waiting connection not being
    /// answered when the cap is reached. `report` is true when the cap should be logged.
    func admit(_ channel: any Channel, now: NIODeadline) -> (admission: Admission, report: Bool) {
        state.withLock { state in
            var report = false
            var evicted: (any Channel)?
            if state.entries.count >= limit {
                if state.lastReported.map({ now - $0 >= .minutes(1) }) ?? true {
                    state.lastReported = now
                    report = true
                }
                var victim: (id: Int, since: NIODeadline)?
                for (id, entry) in state.entries where !entry.answering {
                    if victim.map({ entry.waitingSince < $0.since }) ?? true { victim = (id, entry.waitingSince) }
                }
                guard let victim else { return (.refused, report) }
                evicted = state.entries.removeValue(forKey: victim.id)?.channel
            }
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = Entry(channel: channel, answering: false, waitingSince: now)
            return (.admitted(id: id, evicted: evicted), report)
        }
    }

    /// Records whether connection `id` has a complete request being answered.
    func setAnswering(_ id: Int, _ answering: Bool, now: NIODeadline) {
        state.withLock { state in
            guard var entry = state.entries[id], entry.answering != answering else { return }
            entry.answering = answering
            if !answering { entry.waitingSince = now }
            state.entries[id] = entry
        }
    }

    /// Forgets connection `id` once it is closed (a no-op for one already evicted).
    func remove(_ id: Int) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }
}
