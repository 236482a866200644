import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Finding 1 of the security review: no typed number, period, duration or time may crash Vigil.
/// Each case below trapped (or could have) before bounds were checked ahead of the arithmetic.
@Suite("Finding 1: no input crashes Vigil")
struct NoCrashOnInputTests {
    let parser: CommandParser

    init() throws {
        parser = try Fixtures.parser()
    }

    /// `count * 24` overflowed in `ReportPeriodSpec.parse` and killed the process.
    @Test("a period too long for an Int is refused with the maximum", arguments: [
        "384307168202282326d", "9223372036854775807h", "9223372036854775807d", "9223372036854775807w", "1537228672809129302w",
        "99999999999999999999999999d", "367d", "8785h", "53w",
    ])
    func overlongPeriods(period: String) {
        // MUT
        let result = ReportPeriodSpec.parse(period)
        // validate
        guard case let .failure(error) = result else {
            Issue.record("\(period) was accepted")
            return
        }
        #expect(error.message.contains("is too long: a report covers at most 366 days"))
    }

    @Test("the longest periods are still accepted", arguments: [("366d", 366 * 24), ("8784h", 8784), ("52w", 52 * 168)])
    func longestPeriods(period: String, hours: Int) throws {
        #expect(try ReportPeriodSpec.parse(period).get() == .last(hours: hours))
    }

    @Test("/incident report with an overlong period is a usage error, not a crash")
    func reportCommandWithOverlongPeriod() {
        #expect {
            try parser.parse("report 384307168202282326d")
        } throws: { error in
            let error = error as? UserError
            return error?.message.contains("“384307168202282326d” is too long: a report covers at most 366 days.") == true && error?.usage?.hasPrefix("report") == true
        }
    }

    @Test("signs, year 0 and five-digit years are not days or months", arguments: ["+999-11-01", "0000-01-01", "2026-+1-01", "0000-01", "+202-11", "2026-11-01..99999-01-01"])
    func signedOrOutOfRangeDays(text: String) {
        #expect(throws: UserError.self) { try ReportPeriodSpec.parse(text).get() }
    }

    @Test("the last day Foundation can start is still a day", arguments: ["9999-12", "9999-12-31"])
    func lastYear(text: String) throws {
        let period = try ReportPeriodSpec.parse(text).get().resolve(now: Date(timeIntervalSince1970: 253_402_400_000), timeZone: .gmt)
        #expect(period.since < period.until)
    }

    /// `seconds += product` was unchecked: two units that each fit summed past Int64.max.
    @Test("a duration whose parts overflow when summed is not a duration", arguments: [
        "9223372036854775807s1s", "15250284452471w1w", "99999999999999999999s", "36601d", "5300w",
    ])
    func overflowingDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test("a hundred years is the longest duration")
    func longestDuration() {
        #expect(DurationText.parse("36600d") == .seconds(DurationText.maximumSeconds))
    }

    /// `2026-11-22 Z` left an empty time after the zone was taken off, and `parts[1]` trapped.
    @Test("a date with a zone but no time is not a time", arguments: [
        "2026-11-22 Z", "2026-11-22T+01:00", "2026-11-22TZ", "2026-11-22 -05:00", "2026-11-22 +", "2026-11220 -9:30", "T\u{07}", "T9",
    ])
    func zoneWithoutTime(text: String) {
        #expect(TimeText.parse(text, in: .gmt) == nil)
    }

    @Test("--known with a zone but no time is a usage error, not a crash")
    func knownWithoutTime() {
        #expect {
            try parser.parse("open sev1 fraud Card testing --known \"2026-11-22 Z\"")
        } throws: { ($0 as? UserError)?.message.contains("is not a time") == true }
    }

    @Test("years outside 1…9999 and signed fields are not times", arguments: [
        "99999999-01-01 00:00", "9223372036854775807-01-01 00:00", "0000-01-01 00:00", "+2026-11-22 09:30", "2026-11-22 +9:30",
        "2026-11-22 09:+30", "2026-11-22 009:30", "2026-11-22 09:30 +99999999999999999999:00",
    ])
    func outOfRangeTimes(text: String) {
        #expect(TimeText.parse(text, in: .gmt) == nil)
    }

    @Test("year 1 is a time (refused later by --known's limit, not by the parser)")
    func yearOne() {
        #expect(TimeText.parse("0001-01-01 00:00", in: .gmt) != nil)
    }

    @Test("an incident number beyond Int is not an incident ID", arguments: ["INC-999999999999999999999", "#99999999999999999999", "18446744073709551616"])
    func hugeIncidentNumbers(reference: String) {
        #expect {
            try parser.parse("ack \(reference)")
        } throws: { ($0 as? UserError)?.message.contains("is not an incident ID") == true }
    }

    @Test("the largest incident number parses")
    func largestIncidentNumber() throws {
        #expect(try parser.parse("ack INC-9223372036854775807").incidentNumber == Int.max)
    }

    @Test("--known=… keeps the case of its value")
    func inlineOptionValueKeepsCase() throws {
        let command = try parser.parse("open sev1 fraud Card testing --known=2026-11-22T09:30Z")
        #expect(command.optionTime("known") == TimeText.parse("2026-11-22 09:30 UTC", in: .gmt))
    }
}
