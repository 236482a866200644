import Foundation
import Testing
import VigilCore

private let losAngeles = TimeZone(identifier: "America/Los_Angeles")!
private let paris = TimeZone(identifier: "Europe/Paris")!
private let utc = TimeZone(identifier: "UTC")!

private let ava = UserRef(id: "U0AVA", name: "ava")
private let ben = UserRef(id: "U0BEN", name: "ben")
private let cas = UserRef(id: "U0CAS", name: "cas")
private let dee = UserRef(id: "U0DEE", name: "dee")
private let eve = UserRef(id: "U0EVE", name: "eve")
private let people = ["ava": ava, "ben": ben, "cas": cas, "dee": dee, "eve": eve]

private let hour: TimeInterval = 3_600
private let day: TimeInterval = 86_400
private let week: TimeInterval = 7 * day

/// `2026-11-02 09:00` or `2026-11-02 08:59:59` on the wall clock of `zone`; only for times that
/// happen exactly once there (skipped and repeated ones are written in UTC).
private func at(_ text: String, _ zone: TimeZone = losAngeles) -> Date {
    let numbers = text.split(whereSeparator: { " -:".contains($0) }).map { Int($0)! }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let components = DateComponents(
        year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4],
        second: numbers.count > 5 ? numbers[5] : 0)
    return calendar.date(from: components)!
}

/// The hand-off (or any reading) `text` as components, the way config hands it over.
private func handoff(_ text: String) -> DateComponents {
    let numbers = text.split(whereSeparator: { " -:".contains($0) }).map { Int($0)! }
    return DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4])
}

/// `date` on the wall clock of `zone`, as `2026-11-02 09:00 Mon`.
private func wallClock(_ date: Date, _ zone: TimeZone = losAngeles) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
    let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][parts.weekday! - 1]
    let seconds = parts.second! == 0 ? "" : String(format: ":%02d", parts.second!)
    return String(format: "%04d-%02d-%02d %02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!)
        + seconds + " " + weekday
}

private func schedule(
    _ members: [UserRef] = [ava, ben, cas], every shift: TimeInterval = week, from first: String = "2026-11-02 09:00",
    in zone: TimeZone = losAngeles, overrides: [OncallOverride] = []
) -> OncallSchedule {
    OncallSchedule(
        name: "ts-primary", members: members, shift: .seconds(Int64(shift)), handoff: handoff(first), timeZone: zone,
        overrides: overrides)
}

/// The override from the config docs: Dee covers Ava for a day of her shift.
private let deeCoversAva = OncallOverride(
    who: dee, covers: ava, from: at("2026-11-24 09:00"), until: at("2026-11-25 09:00"))

@Suite struct OncallRotationTests {
    /// A schedule as a test argument, named in the test log instead of dumped whole.
    struct NamedRotation: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let schedule: OncallSchedule

        init(_ name: String, _ schedule: OncallSchedule) {
            self.testDescription = name
            self.schedule = schedule
        }
    }

    // MARK: - Who is on call

    @Test(arguments: [
        ("2026-11-02 09:00", "ava", "2026-11-02 09:00", "2026-11-09 09:00"),
        ("2026-11-05 17:30", "ava", "2026-11-02 09:00", "2026-11-09 09:00"),
        ("2026-11-09 08:59:59", "ava", "2026-11-02 09:00", "2026-11-09 09:00"),
        ("2026-11-09 09:00", "ben", "2026-11-09 09:00", "2026-11-16 09:00"),
        ("2026-11-16 09:00", "cas", "2026-11-16 09:00", "2026-11-23 09:00"),
        ("2026-11-23 08:59:59", "cas", "2026-11-16 09:00", "2026-11-23 09:00"),
        ("2026-11-23 09:00", "ava", "2026-11-23 09:00", "2026-11-30 09:00"),
        ("2027-01-20 15:00", "cas", "2027-01-18 09:00", "2027-01-25 09:00"),
        ("2028-02-29 12:00", "ava", "2028-02-28 09:00", "2028-03-06 09:00"),
        // Before the first hand-off the rotation runs backwards.
        ("2026-11-02 08:59:59", "cas", "2026-10-26 09:00", "2026-11-02 09:00"),
        ("2026-10-20 12:00", "ben", "2026-10-19 09:00", "2026-10-26 09:00"),
        ("2025-11-03 09:00", "cas", "2025-11-03 09:00", "2025-11-10 09:00"),
    ])
    func weeklyRotation(date: String, person: String, start: String, end: String) throws {
        let shift = try #require(schedule().shift(at: at(date)))
        #expect(shift.person == people[person])
        #expect(shift.member == people[person])
        #expect(shift.start == at(start))
        #expect(shift.end == at(end))
    }

    @Test(arguments: [
        ("2026-11-02 09:00", "ava", "2026-11-02 09:00", "2026-11-02 21:00"),
        ("2026-11-02 20:59:59", "ava", "2026-11-02 09:00", "2026-11-02 21:00"),
        ("2026-11-02 21:00", "ben", "2026-11-02 21:00", "2026-11-03 09:00"),
        ("2026-11-03 09:00", "ava", "2026-11-03 09:00", "2026-11-03 21:00"),
        ("2026-11-02 08:59:59", "ben", "2026-11-01 21:00", "2026-11-02 09:00"),
        ("2026-12-25 03:00", "ben", "2026-12-24 21:00", "2026-12-25 09:00"),
    ])
    func twelveHourShifts(date: String, person: String, start: String, end: String) throws {
        let shift = try #require(schedule([ava, ben], every: 12 * hour).shift(at: at(date)))
        #expect(shift.person == people[person])
        #expect(shift.start == at(start))
        #expect(shift.end == at(end))
    }

    @Test func noRotationWithoutMembersAPositiveShiftOrAFullHandoff() {
        var broken = [schedule([]), schedule(every: 0)]
        var noDay = schedule()
        noDay.handoff = DateComponents(year: 2026, month: 11, hour: 9)
        broken.append(noDay)
        for schedule in broken {
            #expect(schedule.shift(at: at("2026-11-05 12:00")) == nil)
            #expect(schedule.shifts(from: at("2026-11-05 12:00"), count: 3).isEmpty)
            #expect(schedule.nextChange(after: at("2026-11-05 12:00")) == nil)
        }
    }

    // MARK: - Daylight saving

    /// A weekly shift spanning a change: hand-offs stay at the local time, the shift is 167 h or 169 h.
    @Test(arguments: [
        // America/Los_Angeles falls back on 2026-11-01 and springs forward on 2027-03-14.
        (losAngeles, "2026-11-02 09:00", "2026-10-30 12:00", "2026-10-26 16:00", "2026-11-02 17:00", 169.0),
        (losAngeles, "2026-11-02 09:00", "2027-03-14 12:00", "2027-03-08 17:00", "2027-03-15 16:00", 167.0),
        // Europe/Paris falls back on 2026-10-25 and springs forward on 2027-03-28.
        (paris, "2026-10-19 10:00", "2026-10-25 12:00", "2026-10-19 08:00", "2026-10-26 09:00", 169.0),
        (paris, "2026-10-19 10:00", "2027-03-28 12:00", "2027-03-22 09:00", "2027-03-29 08:00", 167.0),
    ])
    func weeklyShiftAcrossAChange(zone: TimeZone, first: String, date: String, startUTC: String, endUTC: String, hours: Double) throws {
        let shift = try #require(schedule(from: first, in: zone).shift(at: at(date, zone)))
        #expect(shift.start == at(startUTC, utc))
        #expect(shift.end == at(endUTC, utc))
        #expect(shift.end.timeIntervalSince(shift.start) == hours * hour)
        let localHandoff = " \(first.suffix(5)) Mon"
        #expect(wallClock(shift.start, zone).hasSuffix(localHandoff))
        #expect(wallClock(shift.end, zone).hasSuffix(localHandoff))
    }

    @Test(arguments: [(losAngeles, "2026-10-26 09:00"), (paris, "2026-10-19 10:00")])
    func weeklyHandoffsKeepTheirLocalTimeAllYear(zone: TimeZone, first: String) {
        let shifts = schedule(from: first, in: zone).shifts(from: at(first, zone), count: 53)
        #expect(shifts.count == 53)
        let expectedTime = String(first.suffix(5)) + " Mon"
        for shift in shifts {
            #expect(wallClock(shift.start, zone).hasSuffix(expectedTime))
        }
        let lengths = shifts.map { $0.end.timeIntervalSince($0.start) / hour }
        #expect(lengths.filter { $0 == 169 }.count == 1)
        #expect(lengths.filter { $0 == 167 }.count == 1)
        #expect(lengths.filter { $0 == 168 }.count == 51)
    }

    /// 12-hour shifts handing off at 09:00 and 21:00 local: the night shift of each change is 13 h or 11 h.
    @Test(arguments: [
        ("2026-11-01 05:00", "2026-10-31 21:00", "2026-11-01 04:00", "2026-11-01 17:00", 13.0),
        ("2027-03-14 05:00", "2027-03-13 21:00", "2027-03-14 05:00", "2027-03-14 16:00", 11.0),
    ])
    func twelveHourShiftAcrossAChange(date: String, localStart: String, startUTC: String, endUTC: String, hours: Double) throws {
        let shift = try #require(schedule([ava, ben], every: 12 * hour).shift(at: at(date)))
        #expect(shift.start == at(localStart))
        #expect(shift.start == at(startUTC, utc))
        #expect(shift.end == at(endUTC, utc))
        #expect(wallClock(shift.end).contains(" 09:00 "))
        #expect(shift.end.timeIntervalSince(shift.start) == hours * hour)
    }

    @Test func twelveHourHandoffsStayAtNineAndTwentyOneLocalAllYear() {
        let rotation = schedule([ava, ben], every: 12 * hour, from: "2026-10-25 09:00")
        let shifts = rotation.shifts(from: at("2026-10-25 09:00"), count: 2 * 365)
        #expect(shifts.count == 730)
        for (index, shift) in shifts.enumerated() {
            #expect(wallClock(shift.start).contains(index.isMultiple(of: 2) ? " 09:00 " : " 21:00 "))
            #expect(shift.person == (index.isMultiple(of: 2) ? ava : ben))
        }
        let lengths = shifts.map { $0.end.timeIntervalSince($0.start) / hour }
        #expect(lengths.filter { $0 == 13 }.count == 1)
        #expect(lengths.filter { $0 == 11 }.count == 1)
        #expect(lengths.filter { $0 == 12 }.count == 728)
    }

    /// A hand-off whose local time is skipped happens when the gap ends (02:30 → 03:00); one whose
    /// local time happens twice happens the first time.
    @Test(arguments: [
        // Daily 02:30, the night 02:00 jumps to 03:00: the hand-off is at 03:00 PDT / CEST.
        (losAngeles, "2027-03-13 02:30", "2027-03-14 10:00", "2027-03-13 10:30", "2027-03-15 09:30"),
        (paris, "2027-03-27 02:30", "2027-03-28 01:00", "2027-03-27 01:30", "2027-03-29 00:30"),
        // The first hand-off itself in the gap.
        (losAngeles, "2027-03-14 02:30", "2027-03-14 10:00", "2027-03-13 10:30", "2027-03-15 09:30"),
        // Daily 01:30 (LA) / 02:30 (Paris) on the night that hour happens twice: the first one, in summer time.
        (losAngeles, "2026-10-31 01:30", "2026-11-01 08:30", "2026-10-31 08:30", "2026-11-02 09:30"),
        (paris, "2026-10-24 02:30", "2026-10-25 00:30", "2026-10-24 00:30", "2026-10-26 01:30"),
    ])
    func handoffAtASkippedOrRepeatedTime(zone: TimeZone, first: String, handoffUTC: String, beforeUTC: String, afterUTC: String) throws {
        let rotation = schedule([ava, ben], every: day, from: first, in: zone)
        let changeover = at(handoffUTC, utc)
        let shift = try #require(rotation.shift(at: changeover))
        #expect(shift.start == changeover)
        #expect(shift.end == at(afterUTC, utc))
        let before = try #require(rotation.shift(at: changeover - 1))
        #expect(before.start == at(beforeUTC, utc))
        #expect(before.end == changeover)
        #expect(!before.person.isSameRosterEntry(as: shift.person))
        #expect(rotation.nextChange(after: changeover - 1) == changeover)
    }

    // MARK: - Overrides

    @Test(arguments: [
        ("2026-11-24 12:00", "dee", "2026-11-24 09:00", "2026-11-25 09:00"),
        ("2026-11-24 09:00", "dee", "2026-11-24 09:00", "2026-11-25 09:00"),
        ("2026-11-25 08:59:59", "dee", "2026-11-24 09:00", "2026-11-25 09:00"),
        // Ava before and after, her shift clipped where Dee takes over and hands back.
        ("2026-11-24 08:59:59", "ava", "2026-11-23 09:00", "2026-11-24 09:00"),
        ("2026-11-23 09:00", "ava", "2026-11-23 09:00", "2026-11-24 09:00"),
        ("2026-11-25 09:00", "ava", "2026-11-25 09:00", "2026-11-30 09:00"),
        ("2026-11-29 20:00", "ava", "2026-11-25 09:00", "2026-11-30 09:00"),
        // Other shifts are untouched.
        ("2026-11-30 09:00", "ben", "2026-11-30 09:00", "2026-12-07 09:00"),
        ("2026-11-02 09:00", "ava", "2026-11-02 09:00", "2026-11-09 09:00"),
    ])
    func overrideTakesPartOfAShift(date: String, person: String, start: String, end: String) throws {
        let shift = try #require(schedule(overrides: [deeCoversAva]).shift(at: at(date)))
        #expect(shift.person == people[person])
        #expect(shift.member == (date.hasPrefix("2026-11-30") ? ben : ava))
        #expect(shift.start == at(start))
        #expect(shift.end == at(end))
    }

    @Test func nextChangeHonoursAnOverride() {
        let rotation = schedule(overrides: [deeCoversAva])
        #expect(rotation.nextChange(after: at("2026-11-16 12:00")) == at("2026-11-23 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-23 09:00")) == at("2026-11-24 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-24 09:00")) == at("2026-11-25 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-24 12:00")) == at("2026-11-25 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-25 09:00")) == at("2026-11-30 09:00"))
    }

    @Test func shiftsListTheOverrideAsItsOwnStretch() {
        let shifts = schedule(overrides: [deeCoversAva]).shifts(from: at("2026-11-20 12:00"), count: 5)
        #expect(shifts.map(\.person) == [cas, ava, dee, ava, ben])
        #expect(shifts.map(\.member) == [cas, ava, ava, ava, ben])
        #expect(shifts.map(\.start) == ["2026-11-16 09:00", "2026-11-23 09:00", "2026-11-24 09:00", "2026-11-25 09:00", "2026-11-30 09:00"].map { at($0) })
    }

    @Test func overrideForSomeoneNotOnShiftChangesNothing() {
        let plain = schedule()
        let deeCoversBen = OncallOverride(who: dee, covers: ben, from: at("2026-11-24 09:00"), until: at("2026-11-25 09:00"))
        let covered = schedule(overrides: [deeCoversBen])
        for date in ["2026-11-23 09:00", "2026-11-24 08:59:59", "2026-11-24 12:00", "2026-11-25 09:00"].map({ at($0) }) {
            #expect(covered.shift(at: date) == plain.shift(at: date))
            #expect(covered.nextChange(after: date) == plain.nextChange(after: date))
        }
        #expect(covered.shifts(from: at("2026-11-20 12:00"), count: 4) == plain.shifts(from: at("2026-11-20 12:00"), count: 4))
    }

    @Test func overrideWrittenByNameCoversTheMember() throws {
        let byName = OncallOverride(
            who: UserRef(id: "dee", name: "dee"), covers: UserRef(id: "ava", name: "ava"),
            from: at("2026-11-24 09:00"), until: at("2026-11-25 09:00"))
        let shift = try #require(schedule(overrides: [byName]).shift(at: at("2026-11-24 12:00")))
        #expect(shift.person.isSameRosterEntry(as: dee))
        #expect(shift.member == ava)
    }

    @Test func overrideReachingIntoTheNextMembersShiftStopsAtTheHandoff() throws {
        let rotation = schedule(overrides: [
            OncallOverride(who: dee, covers: ava, from: at("2026-11-29 09:00"), until: at("2026-12-01 09:00")),
        ])
        let covered = try #require(rotation.shift(at: at("2026-11-29 12:00")))
        #expect(covered.person == dee)
        #expect(covered.start == at("2026-11-29 09:00"))
        #expect(covered.end == at("2026-11-30 09:00"))
        let next = try #require(rotation.shift(at: at("2026-11-30 12:00")))
        #expect(next.person == ben)
        #expect(next.start == at("2026-11-30 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-29 12:00")) == at("2026-11-30 09:00"))
    }

    @Test func laterStartingOverlappingOverrideWins() throws {
        let rotation = schedule(overrides: [
            OncallOverride(who: dee, covers: ava, from: at("2026-11-24 09:00"), until: at("2026-11-27 09:00")),
            OncallOverride(who: eve, covers: ava, from: at("2026-11-25 09:00"), until: at("2026-11-26 09:00")),
        ])
        let shifts = rotation.shifts(from: at("2026-11-23 12:00"), count: 5)
        #expect(shifts.map(\.person) == [ava, dee, eve, dee, ava])
        #expect(shifts.map(\.start) == ["2026-11-23 09:00", "2026-11-24 09:00", "2026-11-25 09:00", "2026-11-26 09:00", "2026-11-27 09:00"].map { at($0) })
    }

    @Test func overridesStartingTogetherResolveToTheLastListed() throws {
        let first = OncallOverride(who: dee, covers: ava, from: at("2026-11-24 09:00"), until: at("2026-11-25 09:00"))
        let second = OncallOverride(who: eve, covers: ava, from: at("2026-11-24 09:00"), until: at("2026-11-26 09:00"))
        let eveLast = try #require(schedule(overrides: [first, second]).shift(at: at("2026-11-24 12:00")))
        #expect(eveLast.person == eve)
        #expect(eveLast.end == at("2026-11-26 09:00"))
        let deeLast = try #require(schedule(overrides: [second, first]).shift(at: at("2026-11-24 12:00")))
        #expect(deeLast.person == dee)
        #expect(deeLast.end == at("2026-11-25 09:00"))
    }

    @Test func adjoiningOverridesBySamePersonAreOneStretch() throws {
        let rotation = schedule(overrides: [
            OncallOverride(who: dee, covers: ava, from: at("2026-11-24 09:00"), until: at("2026-11-25 09:00")),
            OncallOverride(who: dee, covers: ava, from: at("2026-11-25 09:00"), until: at("2026-11-26 09:00")),
        ])
        let shift = try #require(rotation.shift(at: at("2026-11-24 12:00")))
        #expect(shift.start == at("2026-11-24 09:00"))
        #expect(shift.end == at("2026-11-26 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-24 12:00")) == at("2026-11-26 09:00"))
    }

    @Test func emptyOrBackwardsOverridesAreIgnored() {
        let rotation = schedule(overrides: [
            OncallOverride(who: dee, covers: ava, from: at("2026-11-24 09:00"), until: at("2026-11-24 09:00")),
            OncallOverride(who: dee, covers: ava, from: at("2026-11-25 09:00"), until: at("2026-11-24 12:00")),
        ])
        #expect(rotation.shift(at: at("2026-11-24 09:00")) == schedule().shift(at: at("2026-11-24 09:00")))
        #expect(rotation.nextChange(after: at("2026-11-23 09:00")) == at("2026-11-30 09:00"))
    }

    // MARK: - Listing shifts and finding the next change

    @Test(arguments: [
        NamedRotation("weekly", schedule()),
        NamedRotation("12h", schedule([ava, ben], every: 12 * hour)),
        NamedRotation("daily, one member, override", schedule([ava], every: day, overrides: [deeCoversAva])),
        NamedRotation("weekly, two overrides", schedule(overrides: [
            deeCoversAva, OncallOverride(who: eve, covers: ben, from: at("2026-12-01 13:00"), until: at("2026-12-03 08:00")),
        ])),
        NamedRotation("8h Paris across spring forward", schedule([ava, ben], every: 8 * hour, from: "2027-03-12 18:00", in: paris)),
        NamedRotation("2w Paris from a repeated 02:30", schedule([ava, ben, cas], every: 14 * day, from: "2026-10-25 02:30", in: paris)),
    ])
    func shiftsAreContiguous(named: NamedRotation) throws {
        let rotation = named.schedule
        let from = at("2026-11-20 12:00")
        let shifts = rotation.shifts(from: from, count: 60)
        #expect(shifts.count == 60)
        let first = try #require(shifts.first)
        #expect(first == rotation.shift(at: from))
        #expect(first.start <= from && from < first.end)
        for (previous, next) in zip(shifts, shifts.dropFirst()) {
            #expect(next.start == previous.end)
            #expect(next.start < next.end)
            #expect(rotation.shift(at: next.start) == next)
            #expect(rotation.shift(at: next.end - 1) == next)
        }
    }

    /// nextChange agrees with walking the shifts and noting where the person differs.
    @Test(arguments: [
        NamedRotation("weekly, Dee covers Ava", schedule(overrides: [deeCoversAva])),
        NamedRotation("12h", schedule([ava, ben], every: 12 * hour)),
        NamedRotation("weekly, Ben covers Ava's whole shift", schedule(overrides: [
            OncallOverride(who: ben, covers: ava, from: at("2026-11-23 09:00"), until: at("2026-11-30 09:00")),
        ])),
        NamedRotation("one member, Dee covers Ava", schedule([ava], overrides: [deeCoversAva])),
    ])
    func nextChangeMatchesTheShifts(named: NamedRotation) {
        let rotation = named.schedule
        let shifts = rotation.shifts(from: at("2026-11-10 12:00"), count: 12)
        let changes = zip(shifts, shifts.dropFirst()).filter { !$0.0.person.isSameRosterEntry(as: $0.1.person) }.map(\.1.start)
        var walked: [Date] = []
        var date = at("2026-11-10 12:00")
        while walked.count < changes.count, let next = rotation.nextChange(after: date) {
            walked.append(next)
            date = next
        }
        #expect(walked == changes)
    }

    @Test func nextChangeSkipsWhenSomeoneCoversTheShiftBeforeTheirOwn() {
        let rotation = schedule(overrides: [
            OncallOverride(who: ben, covers: ava, from: at("2026-11-23 09:00"), until: at("2026-11-30 09:00")),
        ])
        #expect(rotation.nextChange(after: at("2026-11-16 12:00")) == at("2026-11-23 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-23 09:00")) == at("2026-12-07 09:00"))
        let shifts = rotation.shifts(from: at("2026-11-23 12:00"), count: 2)
        #expect(shifts.map(\.person) == [ben, ben])
        #expect(shifts.map(\.member) == [ava, ben])
    }

    @Test func oneMemberRotationChangesOnlyAtOverrides() {
        #expect(schedule([ava]).nextChange(after: at("2026-11-20 12:00")) == nil)
        #expect(schedule([ava], every: 12 * hour).nextChange(after: at("2026-11-20 12:00")) == nil)

        let rotation = schedule([ava], overrides: [deeCoversAva])
        #expect(rotation.nextChange(after: at("2026-11-20 12:00")) == at("2026-11-24 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-24 09:00")) == at("2026-11-25 09:00"))
        #expect(rotation.nextChange(after: at("2026-11-25 09:00")) == nil)

        let farOff = OncallOverride(who: dee, covers: ava, from: at("2036-01-05 09:00"), until: at("2036-01-06 09:00"))
        #expect(schedule([ava], every: 12 * hour, overrides: [farOff]).nextChange(after: at("2026-11-20 12:00")) == at("2036-01-05 09:00"))
    }

    @Test func sameSomeoneTwiceInARowIsNoChange() {
        #expect(schedule([ava, ava, ben]).nextChange(after: at("2026-11-02 09:00")) == at("2026-11-16 09:00"))
        #expect(schedule([ava, UserRef(id: "ava", name: "ava")]).nextChange(after: at("2026-11-02 09:00")) == nil)
    }

    @Test func shiftsCountsAndStartsAtTheShiftInProgress() {
        let rotation = schedule()
        #expect(rotation.shifts(from: at("2026-11-20 12:00"), count: 0).isEmpty)
        #expect(rotation.shifts(from: at("2026-11-20 12:00"), count: -1).isEmpty)
        let nowAndNext = rotation.shifts(from: at("2026-11-20 12:00"), count: 2)
        #expect(nowAndNext.map(\.person) == [cas, ava])
        #expect(nowAndNext.map(\.start) == [at("2026-11-16 09:00"), at("2026-11-23 09:00")])
    }
}
