import Foundation

/// Every subcommand Vigil has a handler for. `commands/` must hold exactly one spec per case, and
/// a test fails when the two sets differ.
public enum Subcommand: String, Sendable, CaseIterable {
    case open, ack, assign, escalate, resolve, reopen, note, sev, status, list, help, step, playbook, oncall, summary, report, waive, types
    /// `type <id> <type|category>`: reclassify.
    case type
    /// The evidence-preservation ledger: `hold`, `release` (the legal hold) and `holds` (the list).
    case hold, release, holds
    /// A sign-in link to the lead dashboard.
    case dashboard
}

/// A value the parser recognised for an argument or option.
public enum ArgumentValue: Sendable, Equatable {
    case incident(Int)
    case severity(String)
    case category(String)
    case user(UserRef)
    case word(String)
    case choice(String)
    case text(String)
    case time(Date)
    case subcommand(String)
    case period(ReportPeriodSpec)
    /// A `flag` option that was given.
    case flag
}

/// A command the parser accepted: which subcommand, and its typed values by argument name.
public struct ParsedCommand: Sendable, Equatable {
    public var subcommand: Subcommand
    public var spec: CommandSpec
    public var arguments: [String: ArgumentValue]
    public var options: [String: [ArgumentValue]]

    public init(subcommand: Subcommand, spec: CommandSpec, arguments: [String: ArgumentValue], options: [String: [ArgumentValue]]) {
        self.subcommand = subcommand
        self.spec = spec
        self.arguments = arguments
        self.options = options
    }

    /// Whether the command writes (and so goes through a store transaction): `step <id>` and
    /// `step <id> show` only read.
    public var isMutation: Bool {
        switch subcommand {
        case .open, .ack, .assign, .escalate, .resolve, .reopen, .note, .sev, .playbook, .waive, .type, .hold, .release: true
        case .step: string("action").map { $0 != "show" } ?? false
        case .status, .list, .help, .oncall, .summary, .report, .types, .holds, .dashboard: false
        }
    }

    /// The incident the command names, if it names one.
    public var incidentNumber: Int? {
        for value in arguments.values { if case let .incident(n) = value { return n } }
        return nil
    }

    /// The text of argument `name`, whatever its kind (`nil` when absent).
    public func string(_ name: String) -> String? {
        switch arguments[name] {
        case let .severity(s), let .category(s), let .word(s), let .choice(s), let .text(s), let .subcommand(s): s
        case let .user(u): u.name
        case let .incident(n): String(n)
        case let .time(d): d.description
        case .period, .flag, nil: nil
        }
    }

    /// The user given as argument `name`.
    public func user(_ name: String) -> UserRef? {
        if case let .user(u) = arguments[name] { return u }
        return nil
    }

    /// All values of option `name` as text.
    public func optionStrings(_ name: String) -> [String] {
        (options[name] ?? []).compactMap {
            switch $0 {
            case let .word(s), let .text(s), let .choice(s): s
            default: nil
            }
        }
    }

    /// Whether flag option `name` was given.
    public func flag(_ name: String) -> Bool { options[name]?.isEmpty == false }

    /// The period given as argument `name`.
    public func period(_ name: String) -> ReportPeriodSpec? {
        if case let .period(p) = arguments[name] { return p }
        return nil
    }

    /// The time given as option `name`.
    public func optionTime(_ name: String) -> Date? {
        if case let .time(d)? = options[name]?.first { return d }
        return nil
    }
}
