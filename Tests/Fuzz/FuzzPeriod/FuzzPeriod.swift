import Foundation
import FuzzSupport
import VigilCore

/// Periods (`7d`, `2026-11`, `2026-11-01..2026-11-15`), durations (`1h30m`) and times
/// (`2026-11-22 09:30 Europe/Paris`) as typed in chat or config. Each text goes through all
/// three readers and, where it is read, through what the app does next with the value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPeriod(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let text = FuzzInput.text(start, count)
    period(text)
    duration(text)
    time(text)
    return 0
}

/// A fixed instant: harnesses never read the clock, so a crash reproduces.
private let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
/// UTC, a zone with daylight saving, and one far from UTC with a half-hour offset.
private let zones = ["UTC", "America/Los_Angeles", "Asia/Kolkata"].compactMap(TimeZone.init(identifier:))

private func period(_ text: String) {
    guard case let .success(spec) = ReportPeriodSpec.parse(text) else { return }
    for zone in zones {
        // What `/incident report` and `vigil report` do with a period: resolve it, then lay out
        // the trend's buckets up to the report's end.
        guard let resolved = try? spec.resolve(now: now, timeZone: zone) else { continue }
        FuzzOracle.expect(resolved.since < resolved.until, "\(text.debugDescription) resolves to an empty span in \(zone.identifier)")
        let buckets = resolved.trendBuckets(to: resolved.asOf(now), timeZone: zone)
        FuzzOracle.expect(!buckets.starts.isEmpty, "\(text.debugDescription) has no trend buckets")
        FuzzOracle.expect(buckets.starts.count <= ReportPeriodSpec.maximumDays * 24 + 1, "\(text.debugDescription): \(buckets.starts.count) buckets")
    }
    // A month's or a range's label is the period written back: it must read as the same period.
    switch spec {
    case .month, .days:
        guard let label = try? spec.resolve(now: now, timeZone: zones[0]).label else { return }
        FuzzOracle.expect(
            ReportPeriodSpec.parse(label) == .success(spec), "\(text.debugDescription) is labelled \(label.debugDescription), which reads differently")
    case .last:
        break
    }
}

private func duration(_ text: String) {
    guard let duration = DurationText.parse(text) else { return }
    FuzzOracle.expect(duration > .zero, "\(text.debugDescription) reads as a duration of \(duration)")
    _ = DurationText.format(duration)
    let written = DurationText.configForm(duration)
    FuzzOracle.expect(
        DurationText.parse(written) == duration, "\(text.debugDescription) is written back as \(written.debugDescription), which reads differently")
}

private func time(_ text: String) {
    _ = TimeText.zone(text)
    _ = CalendarDay(text)
    for zone in zones {
        guard let date = TimeText.parse(text, in: zone) else { continue }
        _ = TimeText.clock(date, now: now, zone: zone)
    }
}
