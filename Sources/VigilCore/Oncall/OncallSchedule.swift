import Foundation

/// Someone covering another member's shifts for a while (holiday, sickness, swap).
public struct OncallOverride: Sendable, Hashable {
    /// Who is on call instead.
    public var who: UserRef
    /// Whose shifts they cover.
    public var covers: UserRef
    public var from: Date
    public var until: Date
    public var source: SourceLocation?

    public init(who: UserRef, covers: UserRef, from: Date, until: Date, source: SourceLocation? = nil) {
        self.who = who
        self.covers = covers
        self.from = from
        self.until = until
        self.source = source
    }
}

/// A rotation from config `oncall:`: members take shifts in turn from a hand-off time.
///
/// Shifts are counted in the schedule's time zone on the wall clock, so a weekly hand-off at
/// 09:00 America/Los_Angeles stays at 09:00 local across a daylight-saving change (and that
/// week's shift is an hour shorter or longer in absolute time).
public struct OncallSchedule: Sendable, Hashable {
    public var name: String
    /// In rotation order; the first is on call from `handoff`.
    public var members: [UserRef]
    /// `12h`, `1d`, `1w`: the shift length on the wall clock.
    public var shift: Duration
    /// The first hand-off, on the wall clock of `timeZone`.
    public var handoff: DateComponents
    public var timeZone: TimeZone
    public var overrides: [OncallOverride]
    public var source: SourceLocation?

    public init(
        name: String, members: [UserRef], shift: Duration, handoff: DateComponents, timeZone: TimeZone,
        overrides: [OncallOverride] = [], source: SourceLocation? = nil
    ) {
        self.name = name
        self.members = members
        self.shift = shift
        self.handoff = handoff
        self.timeZone = timeZone
        self.overrides = overrides
        self.source = source
    }
}

/// One stretch of time one person is on call.
public struct OncallShift: Sendable, Hashable {
    /// Who is on call: the rotation member, or whoever covers them.
    public var person: UserRef
    /// The rotation member whose shift it is (equal to `person` unless an override applies).
    public var member: UserRef
    public var start: Date
    public var end: Date

    public init(person: UserRef, member: UserRef, start: Date, end: Date) {
        self.person = person
        self.member = member
        self.start = start
        self.end = end
    }
}
