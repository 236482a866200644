import Foundation

/// The rotation maths: who is on call when, and when that changes.
///
/// Hand-offs are counted on the wall clock of `timeZone`: hand-off `k` is the local date-time
/// `handoff + k × shift`, for any whole `k`, negative ones included (the rotation also runs
/// backwards from `handoff`). A shift of whole days (`1d`, `1w`, `2w`) therefore keeps the
/// hand-off at the same local time of day, and a shift in hours (`12h`, `8h`) keeps the local hours
/// of its hand-offs (09:00 and 21:00) across a daylight-saving change; the shift spanning the change
/// is an hour shorter or longer in absolute time.
///
/// A hand-off whose local time does not exist (in a spring-forward gap) happens at the first instant
/// after the gap: 02:30 on a 02:00→03:00 night is at 03:00. One whose local time happens twice
/// (fall back) happens at the earlier of the two. Shifts under an hour can thus have hand-offs that
/// fall together; the member of such an empty shift is skipped.
///
/// Overrides replace the person, not the rotation: while an override's `[from, until)` contains an
/// instant and it `covers` the member whose shift it is, its `who` is on call. Of several such
/// overrides the one with the latest `from` applies (the last listed on a tie). Overrides with
/// `until` not after `from` are ignored.
extension OncallSchedule {
    /// Who is on call at `date`, and for how long without a change.
    ///
    /// The shift runs between the hand-offs around `date`, clipped to the edges of any overrides
    /// for that member within it, so that `start` and `end` are when the person on call takes
    /// over and hands over. `nil` when the schedule has no members, a shift that is not positive,
    /// or a hand-off without year, month and day.
    public func shift(at date: Date) -> OncallShift? {
        guard let rotation = Rotation(self), let index = rotation.shiftIndex(containing: date) else { return nil }
        let member = members[rotation.memberIndex(index)]
        return segment(of: member, from: rotation.handoff(index), to: rotation.handoff(index + 1), containing: date)
    }

    /// The shift at `from` followed by the next ones, each starting where the one before ends;
    /// `count` of them (none when `count` is not positive or there is no rotation).
    public func shifts(from date: Date, count: Int) -> [OncallShift] {
        guard count > 0, var current = shift(at: date) else { return [] }
        var result = [current]
        while result.count < count, let next = shift(at: current.end) {
            result.append(next)
            current = next
        }
        return result
    }

    /// The first instant after `date` at which a different person is on call, or `nil` when that
    /// never happens again.
    ///
    /// Hand-offs and override edges where the same person carries on are skipped: a one-member
    /// rotation only changes at its overrides, and someone covering the shift before their own
    /// stays on call across the hand-off.
    public func nextChange(after date: Date) -> Date? {
        guard let current = shift(at: date) else { return nil }
        let person = current.person
        let liveOverrides = overrides.filter { $0.from < $0.until }
        let overrideEdges = liveOverrides.flatMap { [$0.from, $0.until] }
        if changesOnlyAtOverrideEdges(liveOverrides) {
            // Stepping shift by shift would walk every hand-off up to a far-off override.
            for edge in Set(overrideEdges).filter({ $0 > date }).sorted() {
                if let next = shift(at: edge), !next.person.isSameRosterEntry(as: person) { return edge }
            }
            return nil
        }
        let lastEdge = overrideEdges.max()
        var end = current.end
        var unchangedAfterOverrides = 0
        while let next = shift(at: end) {
            if !next.person.isSameRosterEntry(as: person) { return end }
            // Once no override can apply, the rotation repeats every `members.count` shifts: a
            // full round with nobody new means nobody new ever.
            if lastEdge.map({ end >= $0 }) ?? true {
                unchangedAfterOverrides += 1
                if unchangedAfterOverrides >= members.count { return nil }
            }
            end = next.end
        }
        return nil
    }

    /// Whether hand-offs never change who is on call: every member is the same person, and each
    /// override applies to all of their shifts or to none.
    private func changesOnlyAtOverrideEdges(_ liveOverrides: [OncallOverride]) -> Bool {
        let samePerson = members.allSatisfy { member in members.allSatisfy { $0.isSameRosterEntry(as: member) } }
        return samePerson && liveOverrides.allSatisfy { override in
            let covered = members.filter { override.covers.isSameRosterEntry(as: $0) }.count
            return covered == 0 || covered == members.count
        }
    }

    /// The stretch of `member`'s shift `[start, end)` around `date` during which one person is on
    /// call, taking the overrides for that member into account.
    private func segment(of member: UserRef, from start: Date, to end: Date, containing date: Date) -> OncallShift {
        let applicable = overrides.enumerated().filter { _, override in
            override.from < override.until && override.from < end && override.until > start
                && override.covers.isSameRosterEntry(as: member)
        }
        guard !applicable.isEmpty else { return OncallShift(person: member, member: member, start: start, end: end) }

        func person(at instant: Date) -> UserRef {
            applicable
                .filter { $0.element.from <= instant && instant < $0.element.until }
                .max { ($0.element.from, $0.offset) < ($1.element.from, $1.offset) }?
                .element.who ?? member
        }
        let inner = applicable.flatMap { [$0.element.from, $0.element.until] }.filter { $0 > start && $0 < end }
        let edges = Set(inner + [start, end]).sorted()
        var lower = edges.lastIndex { $0 <= date } ?? 0
        var upper = lower + 1
        let who = person(at: date)
        while lower > 0, person(at: edges[lower - 1]).isSameRosterEntry(as: who) { lower -= 1 }
        while upper < edges.count - 1, person(at: edges[upper]).isSameRosterEntry(as: who) { upper += 1 }
        return OncallShift(person: who, member: member, start: edges[lower], end: edges[upper])
    }
}

/// The hand-off instants of one schedule.
private struct Rotation {
    let clock: OncallWallClock
    let firstHandoff: TimeInterval
    let length: TimeInterval
    let memberCount: Int

    init?(_ schedule: OncallSchedule) {
        let parts = schedule.shift.components
        let length = TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
        guard !schedule.members.isEmpty, length > 0,
              let firstHandoff = OncallWallClock.reading(of: schedule.handoff)
        else { return nil }
        self.clock = OncallWallClock(timeZone: schedule.timeZone)
        self.firstHandoff = firstHandoff
        self.length = length
        self.memberCount = schedule.members.count
    }

    /// Hand-off `index` (0 is `handoff`; negative ones are before it).
    func handoff(_ index: Int) -> Date {
        clock.instant(firstHandoff + TimeInterval(index) * length)
    }

    /// The last hand-off at or before `date`; `nil` only for dates too far off to count shifts.
    func shiftIndex(containing date: Date) -> Int? {
        let estimate = ((clock.local(date) - firstHandoff) / length).rounded(.down)
        guard estimate.isFinite, abs(estimate) < 1e12 else { return nil }
        // The estimate is off by at most a few shifts where a gap or overlap moves hand-offs.
        var index = Int(estimate)
        while handoff(index) > date { index -= 1 }
        while handoff(index + 1) <= date { index += 1 }
        return index
    }

    func memberIndex(_ shiftIndex: Int) -> Int {
        let remainder = shiftIndex % memberCount
        return remainder < 0 ? remainder + memberCount : remainder
    }
}
