import Foundation

/// Why an alert fires later than its moment, and what that means for the repeats that moment
/// was to start. Pure arithmetic over dates, safe for any past due time (year 0001 included).
///
/// Two causes, worded differently because they call for different actions:
/// - **opened late**: the moment passed before the incident existed (`known_at` in the past):
///   nothing was down; the team told Vigil late;
/// - **Vigil was not running**: the moment came after the incident was opened, and the
///   scheduler fired more than ``grace`` after it (downtime, or a stalled scheduler).
///
/// Either way a clock fires once for all its missed moments, then resumes its schedule from
/// now: the next repeat is the first of the regular ones strictly after now, never a replay.
public struct CatchUp: Sendable, Equatable {
    /// How late a running scheduler may fire before its alert says it was late: it fires within
    /// a fraction of a second of the moment.
    public static let grace: TimeInterval = 1

    /// The moment the alert was due: a warning threshold, a deadline, a repeat.
    public var due: Date
    /// When the incident was opened, and when the team learned of it.
    public var openedAt: Date
    public var knownAt: Date
    public var now: Date

    public init(due: Date, openedAt: Date, knownAt: Date, now: Date) {
        self.due = due
        self.openedAt = openedAt
        self.knownAt = knownAt
        self.now = now
    }

    /// The moment passed before the incident was opened.
    public var openedLate: Bool { due < openedAt }

    /// How long after the earliest moment it could have fired (its due time, or the opening if
    /// that came later) Vigil fired, in seconds.
    public var schedulerDelay: TimeInterval { now.timeIntervalSince(max(due, openedAt)) }

    /// Vigil fired later than it could have: it was not running (or not keeping up).
    public var vigilWasLate: Bool { schedulerDelay > Self.grace }

    /// How long after the team learned of it the incident was opened.
    public var openingDelay: Duration { openedAt.duration(since: knownAt) }

    /// Late in either sense: worth saying so in the alert.
    public var isLate: Bool { openedLate || vigilWasLate }

    // MARK: - Repeats

    /// The repeats of a breach due at `dueAt`, every `interval`, that fell after the slot being
    /// fired (`fired`) and up to `now`: missed, and covered by this one alert.
    public static func missedRepeats(dueAt: Date, every interval: Duration, fired: Date, now: Date) -> Int {
        let seconds = interval.timeInterval
        guard seconds > 0 else { return 0 }
        let last = slotIndex(now.timeIntervalSince(dueAt), seconds)
        let first = slotIndex(max(0, fired.timeIntervalSince(dueAt)), seconds)
        return Int(max(0, last - first))
    }

    /// The first regular repeat (`dueAt + k × interval`, k ≥ 1) strictly after `now`.
    public static func nextRepeat(dueAt: Date, every interval: Duration, after now: Date) -> Date? {
        let seconds = interval.timeInterval
        guard seconds > 0 else { return nil }
        let k = max(1, slotIndex(now.timeIntervalSince(dueAt), seconds) + 1)
        let next = dueAt.addingTimeInterval(k * seconds)
        // Rounding over centuries can land on `now` itself; the repeat must be in the future.
        return next > now ? next : now.addingTimeInterval(seconds)
    }

    /// `floor(elapsed / interval)` as a whole number of slots, bounded so that no conversion can
    /// trap however far back the due time is.
    private static func slotIndex(_ elapsed: TimeInterval, _ interval: TimeInterval) -> Double {
        guard elapsed > 0, elapsed.isFinite else { return 0 }
        return min((elapsed / interval).rounded(.down), 1e15)
    }

    // MARK: - Wording

    /// `4,331`: counts people read at a glance.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// `1 repeat` / `4,331 repeats`.
    public static func count(_ value: Int, _ noun: String) -> String {
        "\(grouped(value)) \(noun)\(value == 1 ? "" : "s")"
    }

    /// ` · alert late by 12 min (Vigil was not running)`, or `""` when Vigil was on time.
    public var vigilLateText: String {
        guard vigilWasLate else { return "" }
        return " · alert late by \(DurationText.format(now.duration(since: max(due, openedAt)))) (Vigil was not running)"
    }

    /// `INC-7 was opened 3 h after the team learned of it; its `…: the lead-in of an alert for a
    /// moment that passed before the incident existed.
    public func openedLateText(id: String) -> String {
        let delay = openingDelay
        guard delay.timeInterval >= 1 else { return "\(id) was opened after its moment had passed; its " }
        return "\(id) was opened \(DurationText.format(delay)) after the team learned of it; its "
    }

    /// The milliseconds recorded as `late_ms` on the event: how late Vigil itself was.
    public var lateMilliseconds: Int64? {
        guard vigilWasLate else { return nil }
        return Int64((min(schedulerDelay, 9e15 / 1000) * 1000).rounded())
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
