import Foundation

/// Median, 90th percentile and mean of a set of durations (MTTA, MTTR).
///
/// - The median of an even count is the mean of the two middle values.
/// - The p90 is the nearest-rank percentile: the smallest value with at least 90 % of the values
///   at or below it, i.e. the ⌈0.9·n⌉-th smallest. It is always one of the measured values.
public struct DurationStats: Sendable, Hashable {
    public var count: Int
    public var medianMilliseconds: Double
    public var p90Milliseconds: Double
    public var meanMilliseconds: Double

    public init(count: Int, medianMilliseconds: Double, p90Milliseconds: Double, meanMilliseconds: Double) {
        self.count = count
        self.medianMilliseconds = medianMilliseconds
        self.p90Milliseconds = p90Milliseconds
        self.meanMilliseconds = meanMilliseconds
    }

    /// The statistics of `milliseconds`, or `nil` for none.
    public init?(milliseconds: [Int64]) {
        self.init(sorted: milliseconds.sorted())
    }

    /// The statistics of values already in ascending order, or `nil` for none.
    public init?(sorted: [Int64]) {
        guard !sorted.isEmpty else { return nil }
        let n = sorted.count
        count = n
        medianMilliseconds = n % 2 == 1 ? Double(sorted[n / 2]) : (Double(sorted[n / 2 - 1]) + Double(sorted[n / 2])) / 2
        p90Milliseconds = Double(sorted[Self.nearestRank(0.9, count: n) - 1])
        // Summed in Double: a million durations of days overflow nothing, and the mean is shown
        // to the second.
        meanMilliseconds = sorted.reduce(0.0) { $0 + Double($1) } / Double(n)
    }

    /// The 1-based nearest rank of percentile `p` (0…1] among `count` values: ⌈p·count⌉. The
    /// small tolerance keeps 0.9 × 10 at 9 despite binary rounding.
    static func nearestRank(_ p: Double, count: Int) -> Int {
        max(1, min(count, Int((p * Double(count) - 1e-9).rounded(.up))))
    }
}

extension Array where Element == Int64 {
    /// The ascending arrays merged into one ascending array, in one linear pass: a report over a
    /// million incidents sorts each severity's durations once, not again for the total.
    static func mergingSorted(_ parts: [[Int64]]) -> [Int64] {
        var merged = parts.first ?? []
        for part in parts.dropFirst() {
            var result: [Int64] = []
            result.reserveCapacity(merged.count + part.count)
            var i = 0, j = 0
            while i < merged.count, j < part.count {
                if merged[i] <= part[j] { result.append(merged[i]); i += 1 } else { result.append(part[j]); j += 1 }
            }
            result += merged[i...]
            result += part[j...]
            merged = result
        }
        return merged
    }
}

/// Met and breached deadlines under one label (a clock kind, a severity, a category, a rule).
public struct ComplianceRow: Sendable, Hashable {
    public var label: String
    public var met: Int
    public var breached: Int

    public init(label: String, met: Int, breached: Int) {
        self.label = label
        self.met = met
        self.breached = breached
    }

    /// Deadlines decided: met plus breached.
    public var decided: Int { met + breached }
    /// The share met, 0…1, or `nil` when none was decided.
    public var rate: Double? { decided == 0 ? nil : Double(met) / Double(decided) }
}
