import Foundation

/// Times as people write and read them in chat, in the team's time zone.
public enum TimeText {
    /// Fixed English names: the locale data on Linux servers may only offer "M11".
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses `2026-11-22 09:30`, `2026-11-22 09:30:15`, `2026-11-22T09:30`, each optionally followed by
    /// a zone (`Europe/Paris`, `UTC`, `Z`, `+01:00`); without one the time is in `zone`.
    public static func parse(_ text: String, in zone: TimeZone) -> Date? {
        guard let (local, zoneText) = split(text) else { return nil }
        let parts = local.split(separator: " ")
        guard parts.count == 2 else { return nil }
        // Digits only, and a four-digit year: `Int` alone would take `+1` and twenty-digit years,
        // for which Foundation's calendar has no date (and later conversions of one could trap).
        let dateFields = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        let timeFields = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard dateFields.count == 3, dateFields[0].count == 4, dateFields[1].count <= 2, dateFields[2].count <= 2,
              timeFields.count == 2 || timeFields.count == 3, timeFields.allSatisfy({ $0.count <= 2 })
        else { return nil }
        let date = dateFields.compactMap(CalendarDay.number)
        let time = timeFields.compactMap(CalendarDay.number)
        guard date.count == 3, time.count == timeFields.count else { return nil }
        guard CalendarDay.years.contains(date[0]), (1...12).contains(date[1]), (1...31).contains(date[2]), (0...23).contains(time[0]),
              (0...59).contains(time[1]), time.count == 2 || (0...59).contains(time[2])
        else { return nil }
        let timeZone: TimeZone
        if let zoneText {
            guard let parsed = self.zone(zoneText) else { return nil }
            timeZone = parsed
        } else {
            timeZone = zone
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(
            year: date[0], month: date[1], day: date[2], hour: time[0], minute: time[1], second: time.count == 3 ? time[2] : 0)
        guard let result = calendar.date(from: components),
              calendar.component(.day, from: result) == date[2]  // rejects 2026-02-31
        else { return nil }
        return result
    }

    /// Splits a date-time into its local part (`2026-11-22 09:30`) and the zone written after it
    /// (`Europe/Paris`, `Z`, `+01:00`), if any; `nil` when the text does not have that shape.
    public static func split(_ text: String) -> (local: String, zone: String?)? {
        var parts = text.split(whereSeparator: \.isWhitespace).map(String.init)
        // Only the `T` between date and time: zone names may hold one (Asia/Tokyo).
        if let first = parts.first, let separator = first.firstIndex(of: "T") {
            parts.replaceSubrange(0...0, with: [String(first[..<separator]), String(first[first.index(after: separator)...])])
        }
        guard parts.count == 2 || parts.count == 3, !parts[1].isEmpty else { return nil }
        var time = parts[1]
        var zone = parts.count == 3 ? parts[2] : nil
        if zone == nil, time.hasSuffix("Z") {
            time.removeLast()
            zone = "Z"
        } else if zone == nil, let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            zone = String(time[sign...])
            time = String(time[..<sign])
        }
        return ("\(parts[0]) \(time)", zone)
    }

    /// A zone by IANA name, `UTC`/`Z`, or a `+hh:mm` offset.
    public static func zone(_ text: String) -> TimeZone? {
        if text == "Z" || text.uppercased() == "UTC" || text.uppercased() == "GMT" { return TimeZone(identifier: "UTC") }
        if let sign = text.first, sign == "+" || sign == "-" {
            let digits = text.dropFirst().split(separator: ":").compactMap { $0.count <= 4 ? CalendarDay.number($0) : nil }
            guard digits.count == 2 || (digits.count == 1 && text.count == 5) else { return nil }
            let hours = digits.count == 2 ? digits[0] : digits[0] / 100
            let minutes = digits.count == 2 ? digits[1] : digits[0] % 100
            guard hours <= 14, minutes < 60 else { return nil }
            return TimeZone(secondsFromGMT: (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60))
        }
        guard text.contains("/") else { return nil }
        return TimeZone(identifier: text)
    }

    /// `21:45 PST` for a time today (in `zone`, relative to `now`), `Nov 23 21:45 PST` otherwise.
    public static func clock(_ date: Date, now: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let time = "\(Digits.padded(parts.hour!, 2)):\(Digits.padded(parts.minute!, 2))"
        // Linux's tzdata calls UTC "GMT"; people reading a UTC team clock expect "UTC".
        let isUTC = ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) || (zone.identifier.hasPrefix("GMT") && zone.secondsFromGMT() == 0)
        let abbreviation = isUTC ? "UTC" : zone.abbreviation(for: date) ?? zone.identifier
        if calendar.isDate(date, inSameDayAs: now) { return "\(time) \(abbreviation)" }
        let sameYear = calendar.component(.year, from: now) == parts.year!
        if sameYear { return "\(monthNames[parts.month! - 1]) \(parts.day!) \(time) \(abbreviation)" }
        return "\(Digits.padded(parts.year!, 4))-\(Digits.padded(parts.month!, 2))-\(Digits.padded(parts.day!, 2)) \(time) \(abbreviation)"
    }
}
