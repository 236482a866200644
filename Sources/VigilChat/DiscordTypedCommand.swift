import Foundation
import VigilCore
import VigilJSON

/// The other direction of ``DiscordInteractionDecoder``: a command as typed
/// (`open sev1 fraud Card testing --ref ZD-1`) as the sub-command and options Discord would send
/// for it. `vigil send --platform discord` uses it to send what a Discord user's form would.
///
/// It only places words; it checks nothing. The server's parser judges the rebuilt text as it
/// judges typed text, so a mistake comes back with the same error either way.
public enum DiscordTypedCommand {
    /// What a typed command becomes: the interaction's `data`, and the user ids it mentions.
    public struct Interaction: Sendable, Equatable {
        /// `{"name":"incident","type":1,"options":[{sub-command}],"resolved":{"users":{…}}}`
        public var data: JSONValue
    }

    /// - Parameter userID: the Discord id for a mentioned name (`@ben`, `<@U0BEN|ben>`).
    public static func interaction(
        typed text: String, specs: [CommandSpec], userID: (String) -> String
    ) throws(UserError) -> Interaction {
        let tokens = try Tokenizer.tokenize(text)
        guard let first = tokens.first else { throw UserError("Type a sub-command, such as `help`.") }
        let word = first.text.lowercased()
        let spec = specs.first { $0.name == word || $0.aliases.contains(word) }
        let name = spec?.name ?? word
        var options: [JSONValue] = []
        var users: [(String, JSONValue)] = []
        var positional: [Token] = []
        var index = 1
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            guard !token.quoted, token.text.hasPrefix("--"), let spec else {
                positional.append(token)
                continue
            }
            var optionName = String(token.text.dropFirst(2))
            var value: String?
            if let equals = optionName.firstIndex(of: "=") {
                value = String(optionName[optionName.index(after: equals)...])
                optionName = String(optionName[..<equals])
            }
            guard let option = spec.options.first(where: { $0.name == optionName.lowercased() }) else {
                positional.append(token)
                continue
            }
            if option.type == .flag {
                options.append([
                    "name": .string(option.name), "type": .int(DiscordApplicationCommand.OptionType.boolean.rawValue), "value": true,
                ])
                continue
            }
            if value == nil, index < tokens.count {
                value = tokens[index].text
                index += 1
            }
            guard let value else { continue }
            // A repeated option (`--ref A --ref B`) is one field holding both, space-separated.
            if let at = options.firstIndex(where: { $0["name"]?.stringValue == option.name }),
                let earlier = options[at]["value"]?.stringValue
            {
                options[at] = ["name": .string(option.name), "type": 3, "value": .string(earlier + " " + value)]
            } else {
                options.append(["name": .string(option.name), "type": 3, "value": .string(value)])
            }
        }
        var cursor = 0
        for argument in spec?.arguments ?? [] where cursor < positional.count {
            let type = DiscordApplicationCommand.optionType(argument.type)
            if argument.type == .text {
                // The rest of the line as typed, quotes and all, as the parser takes free text.
                let rest = positional[cursor...].map { String(text[$0.range]) }.joined(separator: " ")
                options.append(["name": .string(argument.name), "type": .int(type.rawValue), "value": .string(rest)])
                cursor = positional.count
                break
            }
            let token = positional[cursor]
            cursor += 1
            if type == .user, let mentioned = UserMention.parse(token.text) {
                let id = mentioned.platform == "discord" || mentioned.id.allSatisfy(\.isNumber) ? mentioned.id : userID(mentioned.name)
                users.append((id, ["id": .string(id), "username": .string(mentioned.name)]))
                options.append(["name": .string(argument.name), "type": .int(type.rawValue), "value": .string(id)])
            } else {
                options.append(["name": .string(argument.name), "type": .int(type.rawValue), "value": .string(token.text)])
            }
        }
        let sub: JSONValue = [
            "name": .string(name), "type": .int(DiscordApplicationCommand.OptionType.subcommand.rawValue), "options": .array(options),
        ]
        return Interaction(data: [
            "name": .string(DiscordApplicationCommand.name), "type": 1, "options": [sub], "resolved": ["users": .object(users)],
        ])
    }
}
