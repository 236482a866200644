import Foundation
import Testing
import VigilCore
import VigilTestSupport

@Suite struct ReportPeriodTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!
    /// 2026-11-22 12:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_795_348_800)

    func resolve(_ text: String, zone: TimeZone = .gmt) throws -> ReportPeriod {
        try ReportPeriodSpec.parse(text).get().resolve(now: Self.now, timeZone: zone)
    }

    @Test("every accepted form reads as the period it names")
    func acceptedForms() throws {
        #expect(try ReportPeriodSpec.parse("24h").get() == .last(hours: 24))
        #expect(try ReportPeriodSpec.parse("7d").get() == .last(hours: 168))
        #expect(try ReportPeriodSpec.parse("30D").get() == .last(hours: 720))
        #expect(try ReportPeriodSpec.parse("2w").get() == .last(hours: 336))
        #expect(try ReportPeriodSpec.parse("2026-11").get() == .month(year: 2026, month: 11))
        let day = CalendarDay(year: 2026, month: 11, day: 21)
        #expect(try ReportPeriodSpec.parse("2026-11-21").get() == .days(from: day, through: day))
        #expect(try ReportPeriodSpec.parse("2026-11-01..2026-11-15").get()
            == .days(from: CalendarDay(year: 2026, month: 11, day: 1), through: CalendarDay(year: 2026, month: 11, day: 15)))
        #expect(ReportPeriodSpec.standard == .last(hours: 168))
    }

    @Test("a bad period says what is wrong and lists the forms", arguments: [
        ("last-week", "“last-week” is not a period."),
        ("0d", "“0d” is an empty period."),
        ("400d", "“400d” is too long: a report covers at most 366 days."),
        ("8785h", "“8785h” is too long: a report covers at most 366 days (8784 hours)."),
        ("53w", "“53w” is too long: a report covers at most 366 days (52 weeks)."),
        ("2026-13", "“2026-13” has no month 13."),
        ("2026-02-30", "“2026-02-30” is not a period."),
        ("2026-11-15..2026-11-01", "“2026-11-15..2026-11-01” ends before it starts."),
        ("2026-11-01..soon", "is not a range of days"),
        ("2025-01-01..2026-06-01", "is longer than 366 days."),
    ])
    func badPeriods(text: String, message: String) {
        guard case let .failure(error) = ReportPeriodSpec.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.message.hasSuffix("A period is 24h, 7d, 30d, 2026-11, 2026-11-21 or 2026-11-01..2026-11-15."))
    }

    @Test("periods resolve to the team's days and months; the last N hours end now")
    func resolution() throws {
        let week = try resolve("7d")
        #expect(week.until == Self.now)
        #expect(week.since == Self.now.addingTimeInterval(-7 * 86_400))
        #expect(week.label == "last 7 days")
        #expect(try resolve("24h").label == "last 1 day")
        #expect(try resolve("36h").label == "last 36 hours")
        let month = try resolve("2026-11", zone: Self.losAngeles)
        // November in Los Angeles starts at 00:00 PDT (07:00 UTC) and ends at 00:00 PST (08:00 UTC).
        #expect(month.since == Date(timeIntervalSince1970: 1_793_516_400))
        #expect(month.until == Date(timeIntervalSince1970: 1_796_112_000))
        #expect(month.asOf(Self.now) == Self.now)
        let range = try resolve("2026-11-01..2026-11-15")
        #expect(range.until.timeIntervalSince(range.since) == 15 * 86_400)
        #expect(range.label == "2026-11-01..2026-11-15")
        #expect(try resolve("2026-11-21").label == "2026-11-21")
        #expect(throws: UserError.self) { try resolve("2026-12") }
    }

    @Test("trend buckets: local days across a DST change, hours for short periods")
    func trendBuckets() throws {
        let week = try resolve("2026-10-29..2026-11-04", zone: Self.losAngeles)
        let days = week.trendBuckets(to: week.until, timeZone: Self.losAngeles)
        #expect(days.unit == .day)
        #expect(days.starts.count == 7)
        // Nov 1 is 25 hours long in Los Angeles.
        #expect(days.starts[4].timeIntervalSince(days.starts[3]) == 25 * 3600)
        #expect(days.starts[3].timeIntervalSince(days.starts[2]) == 24 * 3600)
        let fallBack = try resolve("2026-11-01", zone: Self.losAngeles)
        let hours = fallBack.trendBuckets(to: fallBack.until, timeZone: Self.losAngeles)
        #expect(hours.unit == .hour)
        #expect(hours.starts.count == 25)
        let recent = try resolve("24h")
        #expect(recent.trendBuckets(to: recent.until, timeZone: .gmt).starts.count == 24)
    }
}

@Suite struct DurationStatsTests {
    @Test("median of an odd count is the middle value; of an even count, the mean of the two middle ones")
    func medians() throws {
        #expect(DurationStats(milliseconds: [5, 1, 3])?.medianMilliseconds == 3)
        #expect(DurationStats(milliseconds: [4, 1, 3, 2])?.medianMilliseconds == 2.5)
        // Ties: 1 2 2 2 9 → 2; 1 2 2 9 → 2.
        #expect(DurationStats(milliseconds: [2, 9, 2, 1, 2])?.medianMilliseconds == 2)
        #expect(DurationStats(milliseconds: [2, 9, 2, 1])?.medianMilliseconds == 2)
        #expect(DurationStats(milliseconds: [7])?.medianMilliseconds == 7)
        #expect(DurationStats(milliseconds: []) == nil)
    }

    @Test("p90 is the nearest rank ⌈0.9·n⌉, always a measured value")
    func percentiles() throws {
        // n = 10 → 9th; n = 11 → ⌈9.9⌉ = 10th; n = 2 → ⌈1.8⌉ = 2nd; n = 1 → 1st.
        #expect(DurationStats(milliseconds: Array(1...10))?.p90Milliseconds == 9)
        #expect(DurationStats(milliseconds: Array(1...11))?.p90Milliseconds == 10)
        #expect(DurationStats(milliseconds: [10, 20])?.p90Milliseconds == 20)
        #expect(DurationStats(milliseconds: [10])?.p90Milliseconds == 10)
        // Ties at the top: 1 5 5 5 5 5 5 5 5 5 → 9th = 5.
        #expect(DurationStats(milliseconds: [5, 5, 5, 5, 1, 5, 5, 5, 5, 5])?.p90Milliseconds == 5)
    }

    @Test("the mean is the plain average, kept fractional")
    func means() {
        #expect(DurationStats(milliseconds: [1, 2])?.meanMilliseconds == 1.5)
        #expect(DurationStats(milliseconds: [0, 0, 3])?.meanMilliseconds == 1)
        #expect(DurationStats(milliseconds: [10, 20, 30])?.count == 3)
    }

    @Test("percentages never round a miss up to 100% or a hit down to 0%")
    func percentages() {
        #expect(ReportText.percent(1) == "100%")
        #expect(ReportText.percent(0.996) == "99%")
        #expect(ReportText.percent(0.004) == "1%")
        #expect(ReportText.percent(0) == "0%")
        #expect(ReportText.percent(9.0 / 13) == "69%")
    }

    @Test("a sparkline scales to the largest value; zero is the lowest bar")
    func sparkline() {
        #expect(Sparkline.render([0, 1, 2, 4, 0]) == "▁▄▅█▁")  // 1 + round(6·v/4): 1 → 3rd bar… 4 → 8th
        #expect(Sparkline.render([0, 0]) == "▁▁")
        #expect(Sparkline.render([]) == "")
    }

    @Test("CSV fields are quoted as RFC 4180 wants")
    func csvQuoting() {
        let csv = ReportCSV(policy: Fixtures.policy, asOf: Fixtures.t0, showsRestrictedTitles: false)
        #expect(csv.header.hasPrefix("id,title,restricted,severity,category,"))
        #expect(csv.header.hasSuffix(",breached_deadlines\r\n"))
        let headline = IncidentHeadline(
            number: 7, title: "Refunds, \"VIP\"\nsecond line", restricted: false, severity: "sev1", category: "fraud", state: .open,
            owner: nil, openedAt: Fixtures.t0)
        let row = csv.row(ReportedIncident(
            headline: headline, level: 1, reporter: Fixtures.ava, knownAt: Fixtures.t0, reopenedAt: nil, acknowledgedAt: nil,
            resolvedAt: nil, playbook: nil, refs: [], clocks: []))
        #expect(row.hasPrefix("INC-7,\"Refunds, \"\"VIP\"\"\nsecond line\",false,sev1,fraud,open,1,,ava,"))
        #expect(row.hasSuffix(",0,0,0\r\n"))
    }
}

@Suite struct DigestScheduleTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!

    func utc(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar.date(from: DateComponents(year: 2026, month: month, day: day, hour: hour, minute: minute))!
    }

    @Test("09:00 Los Angeles stays 09:00 local across both DST changes")
    func acrossDST() throws {
        let schedule = try DigestSchedule.parse("09:00 America/Los_Angeles", defaultZone: .gmt).get()
        // Fall back on Nov 1: 16:00 UTC (PDT) then 17:00 UTC (PST), 25 hours apart.
        #expect(schedule.next(after: utc(10, 31, 12)) == utc(10, 31, 16))
        #expect(schedule.next(after: utc(10, 31, 16)) == utc(11, 1, 17))
        #expect(schedule.next(after: utc(11, 1, 17)) == utc(11, 2, 17))
        // Spring forward on Mar 8: 17:00 UTC (PST) then 16:00 UTC (PDT), 23 hours apart.
        #expect(schedule.next(after: utc(3, 7, 17)) == utc(3, 8, 16))
        #expect(schedule.latest(atOrBefore: utc(11, 1, 17)) == utc(11, 1, 17))
        #expect(schedule.latest(atOrBefore: utc(11, 1, 16, 59)) == utc(10, 31, 16))
        #expect(schedule.reportedDay(firingAt: utc(11, 1, 17)) == CalendarDay(year: 2026, month: 10, day: 31))
        #expect(schedule.reportedDay(firingAt: utc(11, 2, 17)) == CalendarDay(year: 2026, month: 11, day: 1))
    }

    @Test("a time inside a spring-forward gap fires at the first instant after it")
    func insideTheGap() throws {
        let schedule = try DigestSchedule.parse("02:30", defaultZone: Self.losAngeles).get()
        #expect(schedule.timeZone == Self.losAngeles)
        // 2026-03-08 02:30 does not exist in Los Angeles: 03:00 PDT = 10:00 UTC.
        #expect(schedule.next(after: utc(3, 8, 0)) == utc(3, 8, 10))
    }

    @Test("bad digest times are refused with what to write", arguments: [
        ("9am", "is not a time of day"), ("25:00", "is not a time of day"), ("09:7", "is not a time of day"),
        ("09:00 Mars/Olympus", "unknown time zone \"Mars/Olympus\""), ("09:00 UTC extra", "is not a time of day"),
    ])
    func badTimes(text: String, message: String) {
        guard case let .failure(error) = DigestSchedule.parse(text, defaultZone: .gmt) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.description.contains(message))
    }
}

@Suite struct ReportCommandParsingTests {
    @Test("report takes an optional period and a --share flag")
    func parsing() throws {
        let parser = try Fixtures.parser()
        let plain = try parser.parse("report")
        #expect(plain.subcommand == .report)
        #expect(plain.period("period") == nil)
        #expect(!plain.flag("share"))
        let shared = try parser.parse("report 2026-11 --share")
        #expect(shared.period("period") == .month(year: 2026, month: 11))
        #expect(shared.flag("share"))
        #expect(try parser.parse("kpi 24h").period("period") == .last(hours: 24))
        #expect(!shared.isMutation)
        #expect(throws: UserError("--share takes no value.", usage: "report [period] [--share]")) { try parser.parse("report --share=yes") }
        #expect(throws: UserError("--share is given twice.", usage: "report [period] [--share]")) { try parser.parse("report --share --share") }
        do {
            _ = try parser.parse("report fortnight")
            Issue.record("accepted")
        } catch {
            #expect(error.message.hasPrefix("“fortnight” is not a period."))
            #expect(error.usage == "report [period] [--share]")
        }
    }
}

@Suite struct ISOTimestampTests {
    @Test("timestamps are UTC to the millisecond, before and after 1970 and around leap days", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"), (999, "1970-01-01T00:00:00.999Z"), (1_795_348_800_123, "2026-11-22T12:00:00.123Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"), (1_709_164_799_999, "2024-02-28T23:59:59.999Z"), (-1, "1969-12-31T23:59:59.999Z"),
        (-86_400_001, "1969-12-30T23:59:59.999Z"), (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
    ])
    func format(milliseconds: Int64, expected: String) {
        #expect(ISOTimestamp.string(Date(timeIntervalSince1970: Double(milliseconds) / 1000)) == expected)
    }

    @Test("RFC 3339 as Teams sends it: 0, 3 and 7 fraction digits, Z or an offset", arguments: [
        ("2017-04-06T21:33:48Z", 1_491_514_428.0), ("2017-04-06T21:33:48.641Z", 1_491_514_428.641),
        ("2017-04-06T21:33:48.6419024Z", 1_491_514_428.6419024), ("2017-04-06T14:33:48.6419024-07:00", 1_491_514_428.6419024),
        ("2017-04-07T03:03:48+05:30", 1_491_514_428.0), ("2017-04-06t21:33:48.5z", 1_491_514_428.5),
        ("1969-12-31T23:59:59.999999999Z", -0.000000001), ("2024-02-29T00:00:00+00:00", 1_709_164_800.0),
    ])
    func parse(text: String, seconds: Double) throws {
        let date = try #require(ISOTimestamp.date(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test("anything else is nil, never a trap", arguments: [
        "", "2017-04-06", "2017-04-06T21:33:48", "2017-04-06 21:33:48Z", "2017-04-06T21:33:48.Z", "2017-04-06T21:33:48.1234567890Z",
        "2017-04-06T21:33:48.99999999999999999999999Z", "2017-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2017-13-01T00:00:00Z",
        "2017-04-06T24:00:00Z", "2017-04-06T21:60:00Z", "2017-04-06T21:33:60Z", "2017-04-06T21:33:48+24:00", "2017-04-06T21:33:48+0700",
        "2017-04-06T21:33:48Z ", "+2017-04-06T21:33:48Z", "2017-4-06T21:33:48Z", "２０１７-04-06T21:33:48Z",
    ])
    func refuse(text: String) {
        #expect(ISOTimestamp.date(text) == nil)
    }

    @Test func readsWhatItWrites() {
        let date = Date(timeIntervalSince1970: 1_795_348_800.123)
        #expect(ISOTimestamp.date(ISOTimestamp.string(date)).map { abs($0.timeIntervalSince(date)) < 0.000_001 } == true)
    }
}
