/// Where a definition came from, for `file:line: message` diagnostics.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// The kinds of value a command argument or option takes; each has its own recogniser and error.
public enum ArgumentType: String, Sendable, Hashable, CaseIterable {
    /// `INC-42`, `42` or `#42`.
    case incident
    /// A configured severity name.
    case severity
    /// A configured category name.
    case category
    /// `<@U123|name>`, `<@U123>` or `@name`.
    case user
    /// One token.
    case word
    /// One of the argument's `values`.
    case choice
    /// The rest of the line (quotes kept as typed); must be the last argument.
    case text
    /// A date and time: `2026-11-22 09:30`, optionally followed by a time zone such as `Europe/Paris`.
    case time
    /// The name of another subcommand (for `help`).
    case subcommand
    /// A report period: `24h`, `7d`, `2026-11`, `2026-11-21`, `2026-11-01..2026-11-15`.
    case period
    /// An option that takes no value (`--share`); not for arguments.
    case flag
}

/// One positional argument of a subcommand.
public struct ArgumentSpec: Sendable, Hashable {
    public var name: String
    public var type: ArgumentType
    public var optional: Bool
    /// Consecutive arguments with the same group may be given in either order (severity and category).
    public var group: String?
    /// The accepted values of a `choice`.
    public var values: [String]

    public init(name: String, type: ArgumentType, optional: Bool = false, group: String? = nil, values: [String] = []) {
        self.name = name
        self.type = type
        self.optional = optional
        self.group = group
        self.values = values
    }
}

/// A `--name value` option of a subcommand.
public struct OptionSpec: Sendable, Hashable {
    public var name: String
    public var type: ArgumentType
    public var repeatable: Bool
    public var help: String

    public init(name: String, type: ArgumentType, repeatable: Bool = false, help: String = "") {
        self.name = name
        self.type = type
        self.repeatable = repeatable
        self.help = help
    }
}

/// A subcommand of `/incident`, loaded from one file in `commands/`.
///
/// The parser, `help`, usage errors and the Slack manifest all come from these specs, so the
/// people who own the SOPs can change wording and aliases by review, without a rebuild.
public struct CommandSpec: Sendable, Hashable {
    /// `open`, `ack`, …: the name handlers are registered under.
    public var name: String
    public var aliases: [String]
    /// One line for `help`.
    public var summary: String
    /// The usage line shown with every usage error, without the leading `/incident`.
    public var usage: String
    /// Longer help for `help <subcommand>`.
    public var help: String
    public var examples: [String]
    public var arguments: [ArgumentSpec]
    public var options: [OptionSpec]
    /// `role:` — who may run it: any one of these roles (`anyone` for help). Enforced by
    /// ``Authorization`` for every command.
    public var roles: [Role]
    /// Where the spec was defined.
    public var source: SourceLocation?

    public init(
        name: String, aliases: [String] = [], summary: String, usage: String, help: String = "",
        examples: [String] = [], arguments: [ArgumentSpec] = [], options: [OptionSpec] = [],
        roles: [Role] = [.responder], source: SourceLocation? = nil
    ) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.usage = usage
        self.help = help
        self.examples = examples
        self.arguments = arguments
        self.options = options
        self.roles = roles
        self.source = source
    }
}
