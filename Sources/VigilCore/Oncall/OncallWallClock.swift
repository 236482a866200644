import Foundation

/// Wall-clock times of one time zone, written as seconds since 1970-01-01 00:00 *on that wall
/// clock* (as if the zone were UTC), so that adding 86 400 moves to the same time tomorrow and
/// adding 43 200 moves twelve wall-clock hours, whatever daylight saving does in between.
struct OncallWallClock {
    let timeZone: TimeZone

    /// The wall-clock reading at `date`.
    func local(_ date: Date) -> TimeInterval {
        date.timeIntervalSince1970 + TimeInterval(timeZone.secondsFromGMT(for: date))
    }

    /// The instant the wall clock reads `local`.
    ///
    /// A reading skipped by a spring-forward gap resolves to the first instant after the gap (the
    /// transition itself: 02:30 on a 02:00→03:00 night is 03:00), and a reading that happens twice
    /// at a fall-back resolves to the earlier instant (the first 01:30).
    func instant(_ local: TimeInterval) -> Date {
        // Foundation's `Calendar.date(from:)` moves a skipped reading forward by the gap's length
        // (02:30 → 03:30); hand-offs should happen as soon as the skipped time has passed, so the
        // offsets on either side are compared here instead.
        let offsetBefore = offset(at: local - 86_400)
        let offsetAfter = offset(at: local + 86_400)
        let candidates = [local - offsetBefore, local - offsetAfter]
            .filter { $0 + offset(at: $0) == local }
        if let earliest = candidates.min() {
            return Date(timeIntervalSince1970: earliest)
        }
        guard offsetAfter > offsetBefore else { return Date(timeIntervalSince1970: local - offsetBefore) }
        // In a gap: find the transition, the first whole second whose reading is at or past `local`.
        var before = (local - offsetAfter).rounded(.down)
        var after = (local - offsetBefore).rounded(.up)
        while after - before > 1 {
            let middle = ((before + after) / 2).rounded(.down)
            if middle + offset(at: middle) >= local {
                after = middle
            } else {
                before = middle
            }
        }
        return Date(timeIntervalSince1970: after)
    }

    private func offset(at seconds: TimeInterval) -> TimeInterval {
        TimeInterval(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds)))
    }

    /// `components` (year, month, day and optionally hour, minute, second) as a wall-clock
    /// reading; `nil` when the date part is missing.
    static func reading(of components: DateComponents) -> TimeInterval? {
        guard let year = components.year, let month = components.month, let day = components.day else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let plain = DateComponents(
            year: year, month: month, day: day,
            hour: components.hour ?? 0, minute: components.minute ?? 0, second: components.second ?? 0)
        return calendar.date(from: plain)?.timeIntervalSince1970
    }
}
