import VigilCore
import VigilJSON

/// `/incident` as one Discord application command: each spec in `commands/` is a sub-command,
/// and its arguments and `--options` are the sub-command's options, in the spec's order.
///
/// The same mapping runs both ways. ``registration(specs:severities:)`` is the JSON that
/// `vigil manifest discord` prints (what Discord's "create global application command" takes),
/// and ``DiscordInteractionDecoder`` turns a used command's options back into the text the user
/// would have typed, so the core's parser and its errors stay the only interpreter of commands.
public enum DiscordApplicationCommand {
    /// The command's name: `/incident` in Discord's command picker.
    public static let name = "incident"

    /// Discord's option types that the mapping uses.
    enum OptionType: Int64 {
        case subcommand = 1
        case string = 3
        case boolean = 5
        case user = 6
    }

    /// Discord's limits on one command: 25 sub-commands and 25 options each, 100-character
    /// descriptions, 25 choices, and 4,000 characters of names, descriptions and choices in all.
    static let maxSubcommands = 25
    static let maxOptions = 25
    static let maxDescription = 100
    static let maxChoices = 25
    static let maxTotalCharacters = 4000

    /// Why a set of specs cannot be registered as they are.
    public struct MappingError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The option type a spec's argument or option becomes: a user picker for people, a
    /// true/false for flags, text for everything else (the parser checks it, with its usual
    /// errors, as if typed).
    static func optionType(_ type: ArgumentType) -> OptionType {
        switch type {
        case .user: .user
        case .flag: .boolean
        case .incident, .severity, .category, .word, .choice, .text, .time, .subcommand, .period: .string
        }
    }

    /// The registration JSON for `specs`; `severities` become the choices of severity options.
    ///
    /// - Throws: ``MappingError`` when Discord would refuse the command: too many sub-commands or
    ///   options, a name Discord does not allow, or more than 4,000 characters in all.
    public static func registration(specs: [CommandSpec], severities: [String]) throws(MappingError) -> JSONValue {
        guard specs.count <= maxSubcommands else {
            throw MappingError(description: "Discord takes at most \(maxSubcommands) sub-commands; commands/ has \(specs.count)")
        }
        var total = name.count
        let description = "Vigil: open, acknowledge and work incidents"
        total += description.count
        var subcommands: [JSONValue] = []
        for spec in specs.sorted(by: { $0.name < $1.name }) {
            let summary = cut(spec.summary, to: maxDescription)
            try checkName(spec.name, in: spec)
            total += spec.name.count + summary.count
            var options: [JSONValue] = []
            // Discord requires required options first; the decoder rebuilds the text in the
            // spec's own order from the options' names, so this order is only the picker's.
            let arguments = spec.arguments.filter { !$0.optional } + spec.arguments.filter(\.optional)
            for argument in arguments {
                try checkName(argument.name, in: spec)
                let help = cut(argumentDescription(argument), to: maxDescription)
                var option: [(String, JSONValue)] = [
                    ("type", .int(optionType(argument.type).rawValue)), ("name", .string(argument.name)),
                    ("description", .string(help)), ("required", .bool(!argument.optional)),
                ]
                total += argument.name.count + help.count
                let values = choices(for: argument, severities: severities, specs: specs)
                if !values.isEmpty {
                    option.append(("choices", .array(values.map { ["name": .string($0), "value": .string($0)] })))
                    total += values.reduce(0) { $0 + 2 * $1.count }
                }
                options.append(.object(option))
            }
            for specOption in spec.options {
                try checkName(specOption.name, in: spec)
                guard !spec.arguments.contains(where: { $0.name == specOption.name }) else {
                    throw MappingError(description: "\(spec.name): --\(specOption.name) has the name of an argument")
                }
                var help = specOption.help.isEmpty ? "--\(specOption.name)" : specOption.help
                if specOption.repeatable { help = "Several: separate them with spaces. " + help }
                help = cut(help, to: maxDescription)
                total += specOption.name.count + help.count
                options.append([
                    "type": .int(optionType(specOption.type).rawValue), "name": .string(specOption.name),
                    "description": .string(help), "required": false,
                ])
            }
            guard options.count <= maxOptions else {
                throw MappingError(description: "\(spec.name) has \(options.count) arguments and options; Discord takes \(maxOptions)")
            }
            subcommands.append([
                "type": .int(OptionType.subcommand.rawValue), "name": .string(spec.name), "description": .string(summary),
                "options": .array(options),
            ])
        }
        guard total <= maxTotalCharacters else {
            throw MappingError(
                description:
                    "the command's names, descriptions and choices come to \(total) characters; Discord takes \(maxTotalCharacters)")
        }
        return [
            "name": .string(name), "type": 1, "description": .string(description), "options": .array(subcommands),
            // Usable in servers only: commands in a DM with the bot would bypass channel context.
            "contexts": [0],
        ]
    }

    /// The fixed values an argument offers in the picker, when they are few enough: a choice's
    /// values, the severities, the sub-command names of `help`. Categories are left as text:
    /// `open` takes a type or a category, more words than Discord's 25 choices.
    static func choices(for argument: ArgumentSpec, severities: [String], specs: [CommandSpec]) -> [String] {
        let values: [String] =
            switch argument.type {
            case .choice: argument.values
            case .severity: severities
            case .subcommand: specs.map(\.name).sorted()
            default: []
            }
        return values.count <= maxChoices ? values : []
    }

    private static func argumentDescription(_ argument: ArgumentSpec) -> String {
        switch argument.type {
        case .incident: "The incident: INC-42 or 42"
        case .severity: "Severity"
        case .category: "Type or category"
        case .user: "The person"
        case .time: "YYYY-MM-DD HH:MM, optionally a time zone"
        case .period: "24h, 7d, 30d, 2026-11, 2026-11-21 or 2026-11-01..2026-11-15"
        case .subcommand: "A sub-command"
        case .choice: argument.values.joined(separator: ", ")
        case .word, .text, .flag: argument.name.replacingOccurrences(of: "_", with: " ").capitalizedFirst
        }
    }

    /// Discord's rule for names: 1–32 lower-case letters, digits, `-` and `_`.
    private static func checkName(_ name: String, in spec: CommandSpec) throws(MappingError) {
        let allowed =
            !name.isEmpty && name.count <= 32
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
        guard allowed else {
            throw MappingError(description: "\(spec.name): \"\(name)\" is not a Discord option name (lower-case letters, digits, - and _)")
        }
    }

    private static func cut(_ text: String, to limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}

extension String {
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
