import Foundation

/// How long something must be kept: years, months and days, added in the calendar (a year
/// from 29 February ends on 28 February), because the law counts that way.
public struct PreservationPeriod: Sendable, Hashable, CustomStringConvertible {
    public var years: Int
    public var months: Int
    public var days: Int

    public init(years: Int = 0, months: Int = 0, days: Int = 0) {
        self.years = years
        self.months = months
        self.days = days
    }

    /// `1y`, `6mo`, `90d`, `2w`, or a sum (`1y6mo`); `nil` for anything else, or zero.
    public init?(parsing text: String) {
        var years = 0, months = 0, days = 0
        var rest = Substring(text.lowercased().filter { !$0.isWhitespace })
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 4, let value = Int(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            if rest.hasPrefix("mo") {
                months += value
                rest = rest.dropFirst(2)
            } else if let unit = rest.first {
                switch unit {
                case "y": years += value
                case "w": days += 7 * value
                case "d": days += value
                default: return nil
                }
                rest = rest.dropFirst()
            } else {
                return nil
            }
        }
        guard years + months + days > 0 else { return nil }
        self.init(years: years, months: months, days: days)
    }

    /// The day this period after `start` ends, in `zone`.
    public func end(from start: Date, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: years, month: months, day: days)
        return calendar.date(byAdding: components, to: start) ?? start
    }

    /// `1 year`, `6 months`, `90 days`, `1 year 6 months`.
    public var description: String {
        func part(_ value: Int, _ unit: String) -> String? { value == 0 ? nil : "\(value) \(unit)\(value == 1 ? "" : "s")" }
        return [part(years, "year"), part(months, "month"), part(days, "day")].compactMap { $0 }.joined(separator: " ")
    }

    /// The config form: `1y6mo`.
    public var configForm: String {
        (years > 0 ? "\(years)y" : "") + (months > 0 ? "\(months)mo" : "") + (days > 0 ? "\(days)d" : "")
    }
}

/// A playbook step's `preserve: {for: 1y, from: completed, what: …, law: …}`: completing the
/// step records an entry in the evidence-preservation ledger, kept until the period ends
/// (longer under a legal hold).
public struct PreservationRule: Sendable, Hashable {
    /// Where the period counts from.
    public enum Start: String, Sendable, Hashable, CaseIterable {
        /// When the step was done (or approved): the safe choice, never earlier than the law's start.
        case completed
        /// When the team learned of the incident.
        case known
        /// When the incident was opened.
        case opened
    }

    public var period: PreservationPeriod
    public var from: Start
    /// What is kept: "CyberTipline report contents". Defaults to the step's title.
    public var what: String?
    /// The rule that requires it: "REPORT Act, 18 U.S.C. §2258A(h)".
    public var law: String?

    public init(period: PreservationPeriod, from: Start = .completed, what: String? = nil, law: String? = nil) {
        self.period = period
        self.from = from
        self.what = what
        self.law = law
    }
}

/// A legal hold on an incident (`/incident hold INC-7 [reason]`): nothing preserved for it may
/// be released while it stands, whatever the release dates say.
public struct LegalHold: Sendable, Hashable {
    public var by: UserRef
    public var at: Date
    public var reason: String

    public init(by: UserRef, at: Date, reason: String) {
        self.by = by
        self.at = at
        self.reason = reason
    }
}
