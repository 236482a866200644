import Foundation
import Testing
import VigilCore

@Suite struct DurationAndTimeTests {
    @Test(arguments: [("90s", 90), ("15m", 900), ("4h", 14_400), ("3d", 259_200), ("1w", 604_800), ("1h30m", 5_400), (" 2H ", 7_200)])
    func parsesDurations(text: String, seconds: Int64) {
        #expect(DurationText.parse(text) == .seconds(seconds))
    }

    @Test(arguments: ["", "5x", "m", "10", "0s", "1.5h", "h1", "-5m"])
    func rejectsBadDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(arguments: [(45, "45s"), (720, "12 min"), (5_400, "1 h 30 min"), (3_600, "1 h"), (183_600, "2 d 3 h")])
    func formatsDurationsForPeople(seconds: Int64, text: String) {
        #expect(DurationText.format(.seconds(seconds)) == text)
    }

    @Test func parsesTimesInTheTeamZoneOrAGivenOne() {
        let utc = TimeZone(identifier: "UTC")!
        let la = TimeZone(identifier: "America/Los_Angeles")!
        let base = TimeText.parse("2026-11-28 21:30", in: utc)!
        #expect(base.timeIntervalSince1970 == 1_795_901_400)
        #expect(TimeText.parse("2026-11-28 13:30", in: la) == base)
        #expect(TimeText.parse("2026-11-28 22:30 Europe/Paris", in: la) == base)
        #expect(TimeText.parse("2026-11-28T21:30:00Z", in: la) == base)
        #expect(TimeText.parse("2026-11-28 22:30 +01:00", in: la) == base)
        #expect(TimeText.parse("2026-11-29 06:30 Asia/Tokyo", in: la) == base)
        #expect(TimeText.parse("2026-11-28 16:30 America/Toronto", in: la) == base)
        #expect(TimeText.parse("2026-02-31 10:00", in: utc) == nil)
        #expect(TimeText.parse("2026-11-28 25:00", in: utc) == nil)
        #expect(TimeText.parse("2026-11-28 10:00 Mars/Base", in: utc) == nil)
    }
}

@Suite struct ClockTextTests {
    let utc = TimeZone(identifier: "UTC")!
    let now = Date(timeIntervalSince1970: 1_795_902_000)  // 2026-11-28 21:40 UTC

    @Test func todayShowsTimeAndZone() {
        #expect(TimeText.clock(now + 300, now: now, zone: utc) == "21:45 UTC")
    }

    @Test func anotherDayShowsTheDateInEnglish() {
        #expect(TimeText.clock(now + 86_400, now: now, zone: utc) == "Nov 29 21:40 UTC")
        #expect(TimeText.clock(now + 40 * 86_400, now: now, zone: utc) == "2027-01-07 21:40 UTC")
    }

    @Test func otherZonesShowLocalTimeWithTheirOffset() {
        // Foundation on Linux names the zone by offset ("GMT-8") where macOS says "PST".
        let text = TimeText.clock(now, now: now, zone: TimeZone(identifier: "America/Los_Angeles")!)
        #expect(text == "13:40 PST" || text == "13:40 GMT-8")
    }
}
