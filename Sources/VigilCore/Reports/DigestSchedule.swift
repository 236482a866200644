import Foundation

/// When the daily digest goes to the leads channel: a local time of day in a time zone
/// (`digest: "09:00 America/Los_Angeles"`). The digest reports the local day before the one it
/// fires on. Firing times follow the zone's clock across daylight-saving changes: 09:00 stays
/// 09:00, so the gap between two digests is 23 or 25 hours on those days.
public struct DigestSchedule: Sendable, Hashable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int
    public var timeZone: TimeZone

    public init(hour: Int, minute: Int, timeZone: TimeZone) {
        self.hour = hour
        self.minute = minute
        self.timeZone = timeZone
    }

    /// `HH:MM`, optionally followed by a zone; without one, `defaultZone` (the team's).
    /// Returns what is wrong otherwise.
    public static func parse(_ text: String, defaultZone: TimeZone) -> Result<DigestSchedule, DigestScheduleError> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(parts.count) else { return .failure(.notATime(text)) }
        let clock = parts[0].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 2, clock[0].count <= 2, clock[1].count == 2, let hour = Int(clock[0]), let minute = Int(clock[1]),
              (0..<24).contains(hour), (0..<60).contains(minute)
        else { return .failure(.notATime(text)) }
        var zone = defaultZone
        if parts.count == 2 {
            guard let named = TimeZone(identifier: String(parts[1])) else { return .failure(.unknownZone(String(parts[1]))) }
            zone = named
        }
        return .success(DigestSchedule(hour: hour, minute: minute, timeZone: zone))
    }

    /// The first firing strictly after `date`. On a day when the time does not exist (a
    /// spring-forward gap), the first instant after the gap.
    public func next(after date: Date) -> Date {
        calendar.nextDate(
            after: date, matching: DateComponents(hour: hour, minute: minute, second: 0), matchingPolicy: .nextTime,
            repeatedTimePolicy: .first, direction: .forward)!
    }

    /// The last firing at or before `date`.
    public func latest(atOrBefore date: Date) -> Date {
        let candidate = next(after: date.addingTimeInterval(-1))
        if candidate <= date { return candidate }
        return calendar.nextDate(
            after: date, matching: DateComponents(hour: hour, minute: minute, second: 0), matchingPolicy: .nextTime,
            repeatedTimePolicy: .first, direction: .backward)!
    }

    /// The day a digest firing at `firing` reports: the local day before the firing's.
    public func reportedDay(firingAt firing: Date) -> CalendarDay {
        let today = calendar.startOfDay(for: firing)
        return CalendarDay(today.addingTimeInterval(-12 * 3600), in: timeZone)
    }

    public var description: String { "\(Digits.padded(hour, 2)):\(Digits.padded(minute, 2)) \(timeZone.identifier)" }

    var calendar: Calendar { CalendarDay.calendar(timeZone) }
}

/// Why a `digest:` value is not a schedule.
public enum DigestScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    case notATime(String)
    case unknownZone(String)

    public var description: String {
        switch self {
        case let .notATime(text): "\"\(text)\" is not a time of day; write it as \"09:00 America/Los_Angeles\" (24-hour clock, zone optional)"
        case let .unknownZone(zone): "unknown time zone \"\(zone)\"; use an IANA name such as America/Los_Angeles or Europe/Paris"
        }
    }
}
