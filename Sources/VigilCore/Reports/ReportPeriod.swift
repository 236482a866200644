import Foundation

/// A calendar day (no time, no zone), as written `2026-11-21`.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The years a typed day may fall in: four digits, and no year 0. Foundation's calendar
    /// returns no date at all for some larger years, and every day must have a first instant.
    public static let years = 1...9999

    /// `2026-11-21`, or `nil` unless it is a real date in that form (digits only: `Int` would
    /// also take `+1` or `-1`).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Self.number(parts[0]), let month = Self.number(parts[1]), let day = Self.number(parts[2]),
              Self.years.contains(year), (1...12).contains(month), (1...Self.days(inMonth: month, year: year)).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The value of a run of ASCII digits; `nil` for anything else (a sign, a space, an empty run).
    static func number(_ digits: some StringProtocol) -> Int? {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(digits)
    }

    /// The day `date` falls on in `timeZone`.
    public init(_ date: Date, in timeZone: TimeZone) {
        let parts = Self.calendar(timeZone).dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// The first instant of this day in `timeZone` (midnight, or the first instant after a gap).
    public func start(in timeZone: TimeZone) -> Date {
        Self.calendar(timeZone).date(from: DateComponents(year: year, month: month, day: day))!
    }

    /// The day after this one.
    public var next: CalendarDay {
        if day < Self.days(inMonth: month, year: year) { return CalendarDay(year: year, month: month, day: day + 1) }
        return month == 12 ? CalendarDay(year: year + 1, month: 1, day: 1) : CalendarDay(year: year, month: month + 1, day: 1)
    }

    public var description: String { "\(Digits.padded(year, 4))-\(Digits.padded(month, 2))-\(Digits.padded(day, 2))" }

    public static func < (a: CalendarDay, b: CalendarDay) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}

/// The period a report covers, as typed after `/incident report` or given to `vigil report`:
/// the last `24h`, `7d` or `30d` (any number of hours, days or weeks), a calendar month
/// (`2026-11`), a day (`2026-11-21`) or a range of days, both included (`2026-11-01..2026-11-15`).
/// Days and months are the team's, in the configured time zone.
public enum ReportPeriodSpec: Sendable, Hashable {
    /// The `hours` hours up to now.
    case last(hours: Int)
    /// A calendar month.
    case month(year: Int, month: Int)
    /// Whole days from `from` through `through`.
    case days(from: CalendarDay, through: CalendarDay)

    /// The period a report covers when none is given.
    public static let standard = ReportPeriodSpec.last(hours: 7 * 24)
    /// The forms, for errors and help.
    public static let forms = "24h, 7d, 30d, 2026-11, 2026-11-21 or 2026-11-01..2026-11-15"
    /// The longest period a report covers: one leap year of days.
    public static let maximumDays = 366

    /// Reads a typed period, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<ReportPeriodSpec, UserError> {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        func fail(_ message: String) -> Result<ReportPeriodSpec, UserError> {
            .failure(UserError("\(message) A period is \(forms)."))
        }
        if let unit = word.last, "hdw".contains(unit), word.count > 1, word.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }) {
            let (name, hoursEach) = unit == "h" ? ("hours", 1) : unit == "d" ? ("days", 24) : ("weeks", 24 * 7)
            let most = maximumDays * 24 / hoursEach
            // The bound is checked on the count before any multiplication: a count of 20 digits
            // does not even fit an Int, and `count * 24` overflowed (and trapped) past Int.max / 24.
            guard let count = Int(word.dropLast()), count <= most else {
                let inUnit = hoursEach == 24 ? "" : " (\(most) \(name))"
                return fail("“\(text)” is too long: a report covers at most \(maximumDays) days\(inUnit).")
            }
            guard count > 0 else { return fail("“\(text)” is an empty period.") }
            return .success(.last(hours: count * hoursEach))
        }
        if let range = word.range(of: "..") {
            guard let from = CalendarDay(word[..<range.lowerBound]), let through = CalendarDay(word[range.upperBound...]) else {
                return fail("“\(text)” is not a range of days: write both ends as YYYY-MM-DD.")
            }
            guard from <= through else { return fail("“\(text)” ends before it starts.") }
            guard dayCount(from: from, through: through) <= maximumDays else {
                return fail("“\(text)” is longer than \(maximumDays) days.")
            }
            return .success(.days(from: from, through: through))
        }
        if let day = CalendarDay(word) { return .success(.days(from: day, through: day)) }
        let parts = word.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = CalendarDay.number(parts[0]), let month = CalendarDay.number(parts[1]) {
            guard (1...12).contains(month) else { return fail("“\(text)” has no month \(month).") }
            guard CalendarDay.years.contains(year) else { return fail("“\(text)” has no year \(year).") }
            return .success(.month(year: year, month: month))
        }
        return fail("“\(text)” is not a period.")
    }

    /// The instants this period spans at `now`, in `timeZone`; a period that has not begun yet
    /// is refused, since it can hold no incidents.
    public func resolve(now: Date, timeZone: TimeZone) throws(UserError) -> ReportPeriod {
        let period: ReportPeriod
        switch self {
        case let .last(hours):
            let label = hours % 24 == 0 ? "last \(hours / 24) day\(hours == 24 ? "" : "s")" : "last \(hours) hour\(hours == 1 ? "" : "s")"
            period = ReportPeriod(since: now.addingTimeInterval(-Double(hours) * 3600), until: now, label: label)
        case let .month(year, month):
            let first = CalendarDay(year: year, month: month, day: 1)
            let last = CalendarDay(year: year, month: month, day: CalendarDay.days(inMonth: month, year: year))
            period = ReportPeriod(
                since: first.start(in: timeZone), until: last.next.start(in: timeZone), label: "\(Digits.padded(year, 4))-\(Digits.padded(month, 2))")
        case let .days(from, through):
            period = ReportPeriod(
                since: from.start(in: timeZone), until: through.next.start(in: timeZone),
                label: from == through ? from.description : "\(from)..\(through)")
        }
        guard period.since < now else {
            throw UserError("\(period.label) has not begun yet; a report covers time up to now. A period is \(Self.forms).")
        }
        return period
    }

    static func dayCount(from: CalendarDay, through: CalendarDay) -> Int {
        let gmt = TimeZone.gmt
        return Int((through.start(in: gmt).timeIntervalSince(from.start(in: gmt)) / 86_400).rounded()) + 1
    }
}

/// A report's span of time: from `since` (included) to `until` (excluded).
public struct ReportPeriod: Sendable, Hashable {
    public var since: Date
    public var until: Date
    /// How the period is named in the report: `last 7 days`, `2026-11`, `2026-11-01..2026-11-15`.
    public var label: String

    public init(since: Date, until: Date, label: String) {
        self.since = since
        self.until = until
        self.label = label
    }

    /// The end of what a report made at `now` can count: the period's end, or now if earlier.
    public func asOf(_ now: Date) -> Date { min(until, now) }

    /// The starts of the trend's buckets from `since` up to `end`: local days in `timeZone`, or
    /// hours when the span is two days or less (a per-day trend of one or two bars says little).
    /// The first bucket starts at `since`, so a bucket may be a partial day or hour.
    public func trendBuckets(to end: Date, timeZone: TimeZone) -> TrendBuckets {
        guard end > since else { return TrendBuckets(unit: .day, starts: [since]) }
        let calendar = CalendarDay.calendar(timeZone)
        if end.timeIntervalSince(since) <= 2 * 86_400 {
            var starts = [since]
            var next = calendar.dateInterval(of: .hour, for: since).map(\.end) ?? since.addingTimeInterval(3600)
            while next < end {
                starts.append(next)
                next = next.addingTimeInterval(3600)
            }
            return TrendBuckets(unit: .hour, starts: starts)
        }
        var starts = [since]
        var day = CalendarDay(since, in: timeZone).next
        while day.start(in: timeZone) < end {
            starts.append(day.start(in: timeZone))
            day = day.next
        }
        return TrendBuckets(unit: .day, starts: starts)
    }
}

/// The buckets of a report's trend line.
public struct TrendBuckets: Sendable, Hashable {
    public enum Unit: String, Sendable, Hashable { case hour, day }
    public var unit: Unit
    /// Each bucket's first instant, ascending; a bucket ends where the next starts (the last at
    /// the report's end).
    public var starts: [Date]

    public init(unit: Unit, starts: [Date]) {
        self.unit = unit
        self.starts = starts
    }
}
