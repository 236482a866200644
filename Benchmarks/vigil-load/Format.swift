import Foundation

/// The median of repeated measurements and their range.
struct Spread {
    let median: Double
    let min: Double
    let max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        precondition(!sorted.isEmpty, "a spread of no values")
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }

    /// One value repeated once has no range worth showing.
    var isSingle: Bool { min == max }
}

/// How figures are written in the report: units people read without converting.
enum Format {
    /// `12,345`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A latency in nanoseconds as ms (or s from one second), with about three significant digits.
    static func latency(_ nanos: UInt64) -> String {
        latency(Spread([Double(nanos)]))
    }

    /// `3.12 ms (2.90–3.41)`: the median with the range in the median's unit.
    static func latency(_ spread: Spread) -> String {
        let seconds = spread.median >= 1e9
        let scale = seconds ? 1e9 : 1e6
        let unit = seconds ? "s" : "ms"
        let decimals = spread.median / scale >= 100 ? 0 : spread.median / scale >= 10 ? 1 : 2
        func number(_ value: Double) -> String { String(format: "%.\(decimals)f", value / scale) }
        let median = "\(number(spread.median)) \(unit)"
        return spread.isSingle ? median : "\(median) (\(number(spread.min))–\(number(spread.max)))"
    }

    /// `4,987 req/s (4,950–5,010)`.
    static func rate(_ spread: Spread) -> String {
        func number(_ value: Double) -> String { count(Int(value.rounded())) }
        let median = "\(number(spread.median)) req/s"
        return spread.isSingle ? median : "\(median) (\(number(spread.min))–\(number(spread.max)))"
    }

    /// Bytes as decimal megabytes, `14.2 MB`.
    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    /// `14.2 MB (14.1–14.3)`.
    static func megabytes(_ spread: Spread) -> String {
        let median = String(format: "%.1f MB", spread.median / 1e6)
        return spread.isSingle ? median : median + String(format: " (%.1f–%.1f)", spread.min / 1e6, spread.max / 1e6)
    }

    /// `0.62 (0.60–0.65)`.
    static func ratio(_ spread: Spread) -> String {
        let median = String(format: "%.2f", spread.median)
        return spread.isSingle ? median : median + String(format: " (%.2f–%.2f)", spread.min, spread.max)
    }

    /// `< 5 ms: met` or `< 5 ms: **missed**`.
    static func target(_ text: String, met: Bool) -> String {
        "\(text): \(met ? "met" : "**missed**")"
    }
}
