import Foundation

/// Durations as people write them in config and chat: `90s`, `15m`, `4h`, `3d`, `1w`, `1h30m`.
public enum DurationText {
    private static let units: [(Character, Int64)] = [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// The longest duration Vigil reads: 100 years. Nothing Vigil times is longer, and the bound
    /// keeps every later sum, product and `Date` conversion of a configured duration far from
    /// overflowing (`Duration` arithmetic traps on overflow).
    public static let maximumSeconds: Int64 = 100 * 366 * 86_400

    /// Parses a duration; `nil` when the text is not one (empty, unknown unit, no number, zero,
    /// or longer than ``maximumSeconds``).
    public static func parse(_ text: String) -> Duration? {
        var seconds: Int64 = 0
        var digits = ""
        var sawUnit = false
        for character in text.trimmingCharacters(in: .whitespaces).lowercased() {
            if character.isASCII, character.isNumber {
                // Twenty digits already exceed Int64; stop collecting rather than grow the string.
                guard digits.count < 20 else { return nil }
                digits.append(character)
            } else if let unit = units.first(where: { $0.0 == character }), let value = Int64(digits) {
                // Checked arithmetic throughout: `1h` repeated or a 19-digit count must be refused,
                // never trap.
                let (product, overflow) = value.multipliedReportingOverflow(by: unit.1)
                guard !overflow else { return nil }
                let (sum, sumOverflow) = seconds.addingReportingOverflow(product)
                guard !sumOverflow, sum <= maximumSeconds else { return nil }
                seconds = sum
                digits = ""
                sawUnit = true
            } else {
                return nil
            }
        }
        guard digits.isEmpty, sawUnit, seconds > 0 else { return nil }
        return .seconds(seconds)
    }

    /// Formats a duration compactly for chat: `45s`, `12 min`, `1 h 30 min`, `2 d 3 h`.
    public static func format(_ duration: Duration) -> String {
        let total = max(0, duration.components.seconds)
        if total < 60 { return "\(total)s" }
        let days = total / 86_400, hours = (total % 86_400) / 3_600, minutes = (total % 3_600) / 60
        if days > 0 { return hours > 0 ? "\(days) d \(hours) h" : "\(days) d" }
        if hours > 0 { return minutes > 0 ? "\(hours) h \(minutes) min" : "\(hours) h" }
        return "\(minutes) min"
    }

    /// Formats a duration the way config writes it: `1h30m`, `5m`, `90s` → `1m30s`.
    public static func configForm(_ duration: Duration) -> String {
        var rest = duration.components.seconds
        var text = ""
        for (unit, size) in units.dropFirst() where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text.isEmpty ? "0s" : text
    }
}
