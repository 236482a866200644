import Foundation

/// Parses `/incident` text against the command specs from `commands/`.
///
/// Pure and total: every input either yields a ``ParsedCommand`` or a ``UserError`` naming what
/// was wrong, with the usage line from the spec.
public struct CommandParser: Sendable {
    public let specs: [CommandSpec]
    public let policy: Policy
    /// Its types (`tco`, `card-testing`) are accepted wherever a category is.
    public let catalog: PlaybookCatalog

    public init(specs: [CommandSpec], policy: Policy, catalog: PlaybookCatalog = PlaybookCatalog()) {
        self.specs = specs
        self.policy = policy
        self.catalog = catalog
    }

    /// The spec whose name or alias is `word` (case-insensitive).
    public func spec(named word: String) -> CommandSpec? {
        let lowered = word.lowercased()
        return specs.first { $0.name == lowered || $0.aliases.contains(lowered) }
    }

    /// Parses `text`. In an incident's own channel, `room` is that incident: a command that
    /// names an incident may leave it out (`/incident ack`), and takes the room's then. There a
    /// bare number is not read as an ID (`note 3 accounts affected` is a note on the room's
    /// incident); `INC-3` or `#3` names another incident explicitly.
    public func parse(_ text: String, room: Int? = nil) throws(UserError) -> ParsedCommand {
        // Refused characters are refused before anything else reads the words (and echoes them).
        if let problem = TextRules.problem(in: text) {
            let first = (try? Tokenizer.tokenize(text))?.first
            throw UserError(problem, usage: first.flatMap { spec(named: $0.text) }?.usage)
        }
        let tokens = try Tokenizer.tokenize(text)
        guard let first = tokens.first else {
            // A bare `/incident` is a request for help.
            return try parse("help", room: room)
        }
        guard let spec = spec(named: first.text), let subcommand = Subcommand(rawValue: spec.name) else {
            throw unknownSubcommand(first.text)
        }
        var parse = ArgumentParse(spec: spec, policy: policy, catalog: catalog, specs: specs, text: text)
        parse.room = room
        try parse.run(Array(tokens.dropFirst()))
        return ParsedCommand(subcommand: subcommand, spec: spec, arguments: parse.arguments, options: parse.options)
    }

    private func unknownSubcommand(_ word: String) -> UserError {
        let names = specs.flatMap { [$0.name] + $0.aliases }
        let close = Suggestions.closest(to: word, in: names)
        if let best = close.first, let target = spec(named: best) {
            return UserError("Unknown subcommand “\(word)”. Did you mean `\(target.name)`?", usage: target.usage)
        }
        let all = specs.map(\.name).joined(separator: ", ")
        return UserError("Unknown subcommand “\(word)”. Subcommands: \(all). Try `/incident help`.")
    }
}

/// One parse of one subcommand's arguments; a value type so the parser stays reentrant.
private struct ArgumentParse {
    let spec: CommandSpec
    let policy: Policy
    let catalog: PlaybookCatalog
    let specs: [CommandSpec]
    let text: String
    var arguments: [String: ArgumentValue] = [:]
    var options: [String: [ArgumentValue]] = [:]
    /// The incident whose own channel the command was typed in, if it was.
    var room: Int?

    init(spec: CommandSpec, policy: Policy, catalog: PlaybookCatalog, specs: [CommandSpec], text: String) {
        self.spec = spec
        self.policy = policy
        self.catalog = catalog
        self.specs = specs
        self.text = text
    }

    func fail(_ message: String) -> UserError { UserError(message, usage: spec.usage) }

    mutating func run(_ tokens: [Token]) throws(UserError) {
        let positional = try takeOptions(tokens)
        var cursor = 0
        var index = 0
        let args = spec.arguments
        while index < args.count {
            let argument = args[index]
            if argument.type == .text {
                let rest = Array(positional[cursor...])
                if rest.isEmpty {
                    if argument.optional { break }
                    throw fail("Missing \(placeholder(argument)).")
                }
                arguments[argument.name] = .text(try TextRules.freeText(freeText(rest), argument: argument.name, usage: spec.usage))
                cursor = positional.count
                break
            }
            if argument.type == .incident, let room, !namesIncident(cursor < positional.count ? positional[cursor] : nil) {
                arguments[argument.name] = .incident(room)
                index += 1
                continue
            }
            if let group = argument.group {
                // Consecutive arguments of one group may come in any order.
                let members = Array(args[index...].prefix { $0.group == group })
                try fillGroup(members, from: positional, cursor: &cursor)
                index += members.count
                continue
            }
            guard cursor < positional.count else {
                if argument.optional {
                    index += 1
                    continue
                }
                throw fail("Missing \(placeholder(argument)).")
            }
            switch recognise(positional[cursor], as: argument) {
            case let .success(value):
                arguments[argument.name] = value
                cursor += 1
            case let .failure(error):
                // An optional argument that does not fit lets the next one try the same word.
                guard argument.optional, index + 1 < args.count else { throw error }
            }
            index += 1
        }
        if cursor < positional.count {
            let extra = positional[cursor...].map(\.text).joined(separator: " ")
            throw fail("Unexpected “\(extra)” after the arguments of `\(spec.name)`.")
        }
    }

    /// Removes `--name value` pairs, storing their values; returns the remaining words.
    private mutating func takeOptions(_ tokens: [Token]) throws(UserError) -> [Token] {
        var positional: [Token] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            guard !token.quoted, token.text.hasPrefix("--"), token.text.count > 2,
                token.text.dropFirst(2).first?.isLetter == true
            else {
                positional.append(token)
                index += 1
                continue
            }
            var name = String(token.text.dropFirst(2))
            var inlineValue: Token?
            if let equals = name.firstIndex(of: "=") {
                // Only the name is case-insensitive: `--known=2026-11-22T09:30Z` keeps its `T` and `Z`.
                let value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
                inlineValue = Token(text: value, range: token.range, quoted: false)
            }
            name = name.lowercased()
            guard let option = spec.options.first(where: { $0.name == name }) else {
                let known = spec.options.map { "--" + $0.name }
                let hint =
                    Suggestions.closest(to: name, in: spec.options.map(\.name)).first.map { " Did you mean --\($0)?" }
                    ?? (known.isEmpty ? " `\(spec.name)` takes no options." : " Options: \(known.joined(separator: ", ")).")
                throw fail("Unknown option --\(name).\(hint)")
            }
            if option.type == .flag {
                // A flag stands alone: `--share=yes` is a mistake, not a value.
                guard inlineValue == nil else { throw fail("--\(name) takes no value.") }
                if options[name] != nil { throw fail("--\(name) is given twice.") }
                options[name] = [.flag]
                index += 1
                continue
            }
            let valueToken: Token
            if let inlineValue {
                valueToken = inlineValue
                index += 1
            } else {
                guard index + 1 < tokens.count else { throw fail("--\(name) needs a value.") }
                valueToken = tokens[index + 1]
                index += 2
            }
            if options[name] != nil, !option.repeatable { throw fail("--\(name) is given twice.") }
            if let given = options[name], given.count >= TextRules.maximumRepeats {
                throw fail(
                    "--\(name) is given more than \(TextRules.maximumRepeats) times; one command takes at most \(TextRules.maximumRepeats)."
                )
            }
            if name == "ref", !TextRules.isRef(valueToken.text) { throw TextRules.refError(valueToken.text, usage: spec.usage) }
            let asArgument = ArgumentSpec(name: "--\(name)", type: option.type)
            switch recognise(valueToken, as: asArgument) {
            case let .success(value): options[name, default: []].append(value)
            case let .failure(error): throw error
            }
        }
        return positional
    }

    private mutating func fillGroup(_ members: [ArgumentSpec], from tokens: [Token], cursor: inout Int) throws(UserError) {
        var open = members
        while !open.isEmpty {
            guard cursor < tokens.count else {
                if open.allSatisfy(\.optional) { return }
                throw fail("Missing \(open.filter { !$0.optional }.map(placeholder).joined(separator: " and ")).")
            }
            let token = tokens[cursor]
            if let position = open.firstIndex(where: { if case .success = recognise(token, as: $0) { true } else { false } }),
                case let .success(value) = recognise(token, as: open[position])
            {
                arguments[open[position].name] = value
                open.remove(at: position)
                cursor += 1
                continue
            }
            // Report against the member whose vocabulary the word is closest to.
            let ranked = open.map { member -> (ArgumentSpec, Int) in
                let vocabulary = self.vocabulary(for: member)
                let best = vocabulary.map { Suggestions.editDistance(token.text.lowercased(), $0.lowercased()) }.min() ?? Int.max
                return (member, best)
            }.sorted { $0.1 < $1.1 }
            if case let .failure(error) = recognise(token, as: ranked[0].0) { throw error }
            throw fail("“\(token.text)” is not a \(ranked[0].0.name).")
        }
    }

    private func vocabulary(for argument: ArgumentSpec) -> [String] {
        switch argument.type {
        case .severity: policy.severities.map(\.name)
        case .category: policy.categories.map(\.name) + catalog.typeWords
        case .choice: argument.values
        case .subcommand: specs.map(\.name)
        default: []
        }
    }

    private func placeholder(_ argument: ArgumentSpec) -> String {
        argument.type == .text ? "<\(argument.name)…>" : "<\(argument.name)>"
    }

    /// The free-text words exactly as typed between the first and last of them, so spacing and
    /// punctuation survive; a single quoted word loses its quotes.
    private func freeText(_ words: [Token]) -> String {
        if words.count == 1 { return words[0].text }
        let raw = String(text[words.first!.range.lowerBound..<words.last!.range.upperBound])
        return Tokenizer.decodeEntities(raw)
    }

    /// Whether `token` names an incident explicitly, as it must to override the room's: `INC-3`
    /// or `#3`, not a bare number, which in a room is more likely the start of a note.
    func namesIncident(_ token: Token?) -> Bool {
        guard let word = token?.text, word.first?.isNumber == false else { return false }
        return IncidentReference.parse(word, prefix: policy.idPrefix) != nil
    }

    /// Recognises one word as a value of `argument`'s type, or explains why it is not one.
    func recognise(_ token: Token, as argument: ArgumentSpec) -> Result<ArgumentValue, UserError> {
        let word = token.text
        switch argument.type {
        case .incident:
            guard let number = IncidentReference.parse(word, prefix: policy.idPrefix) else {
                return .failure(fail("“\(word)” is not an incident ID. Use \(policy.idPrefix)-42, 42 or #42."))
            }
            return .success(.incident(number))
        case .severity:
            guard let severity = policy.severity(named: word) else {
                let names = policy.severities.map(\.name)
                let hint = Suggestions.closest(to: word, in: names).first.map { " Did you mean \($0)?" } ?? ""
                return .failure(fail("Unknown severity “\(word)”.\(hint) Valid severities: \(names.joined(separator: ", "))."))
            }
            return .success(.severity(severity.name))
        case .category:
            if let category = policy.category(named: word) { return .success(.category(category.name)) }
            // An incident type stands for its category (and its playbook); `open` resolves it.
            if catalog.playbook(forType: word) != nil { return .success(.category(word.lowercased())) }
            let names = policy.categories.map(\.name)
            let hint = Suggestions.closest(to: word, in: names + catalog.typeWords).first.map { " Did you mean \($0)?" } ?? ""
            let types = catalog.typeWords.isEmpty ? "" : " or a type (`/incident types` lists them)"
            return .failure(fail("Unknown category or type “\(word)”.\(hint) Give a category (\(names.joined(separator: ", ")))\(types)."))
        case .user:
            if !token.quoted, let everyone = ChannelWideMention.named(in: word) {
                return .failure(fail("\(everyone) would notify everyone in the channel; name one person: @name or <@U123>."))
            }
            guard !token.quoted, let user = UserMention.parse(word) else {
                return .failure(fail("“\(word)” is not a user. Mention them: @name or <@U123>."))
            }
            return .success(.user(user))
        case .word:
            guard !word.isEmpty else { return .failure(fail("\(placeholder(argument)) cannot be empty.")) }
            return .success(.word(word))
        case .choice:
            guard let value = argument.values.first(where: { $0.lowercased() == word.lowercased() }) else {
                let hint = Suggestions.closest(to: word, in: argument.values).first.map { " Did you mean \($0)?" } ?? ""
                return .failure(fail("“\(word)” is not one of \(Suggestions.orList(argument.values)).\(hint)"))
            }
            return .success(.choice(value))
        case .text:
            return TextRules.freeTextResult(word, argument: argument.name, usage: spec.usage)
        case .time:
            guard let date = TimeText.parse(word, in: policy.timeZone) else {
                return .failure(
                    fail(
                        "“\(word)” is not a time. Write it as \"2026-11-22 09:30\", optionally with a zone: \"2026-11-22 09:30 Europe/Paris\"."
                    ))
            }
            return .success(.time(date))
        case .subcommand:
            let lowered = word.lowercased()
            guard let target = specs.first(where: { $0.name == lowered || $0.aliases.contains(lowered) }) else {
                let hint = Suggestions.closest(to: word, in: specs.map(\.name)).first.map { " Did you mean `\($0)`?" } ?? ""
                return .failure(fail("There is no subcommand “\(word)”.\(hint)"))
            }
            return .success(.subcommand(target.name))
        case .period:
            return ReportPeriodSpec.parse(word).map(ArgumentValue.period).mapError { fail($0.message) }
        case .flag:
            return .failure(fail("\(placeholder(argument)) takes no value."))
        }
    }
}

/// Incident references: `INC-42`, `42` or `#42` (prefix case-insensitive).
public enum IncidentReference {
    public static func parse(_ word: String, prefix: String) -> Int? {
        var rest = Substring(word)
        if rest.hasPrefix("#") {
            rest = rest.dropFirst()
        } else if rest.lowercased().hasPrefix(prefix.lowercased() + "-") {
            rest = rest.dropFirst(prefix.count + 1)
        }
        guard !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(rest), number > 0 else {
            return nil
        }
        return number
    }
}
