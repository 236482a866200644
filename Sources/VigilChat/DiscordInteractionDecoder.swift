import Foundation
import VigilCore
import VigilJSON

/// Decodes a Discord interaction's JSON: a PING, a use of `/incident` rebuilt as the command
/// text the user would have typed, or a press of one of Vigil's buttons and the modal that
/// completes one (``DiscordInteractionDecoder+Components``).
///
/// Rebuilding the text keeps the core's parser the only interpreter of commands: a Discord user
/// gets the same checks and the same errors, with the same usage line, as a Slack user typing.
public struct DiscordInteractionDecoder: Sendable {
    /// What one interaction asks for.
    public enum Decoded: Equatable, Sendable {
        case ping
        case command(Invocation)
        /// Understood, but not a command Vigil can run as given; answered with this reply.
        case refused(Reply)
        /// A button press, or a submitted modal, to run as the command it carries.
        case press(Invocation)
        /// A press of a button whose command still needs text: answered with this modal.
        case modal(JSONValue)
    }

    /// Discord's interaction types.
    static let ping: Int64 = 1
    static let applicationCommand: Int64 = 2
    static let messageComponent: Int64 = 3
    static let modalSubmit: Int64 = 5

    let specs: [String: CommandSpec]
    /// Where the reply to a deferred interaction is edited: `{apiBase}/webhooks/{application}/{token}/messages/@original`.
    let apiBase: String
    let applicationID: String

    public init(specs: [CommandSpec], applicationID: String, apiBase: String) {
        self.specs = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.applicationID = applicationID
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
    }

    public func decode(_ body: [UInt8]) throws(ChatRequestError) -> Decoded {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw ChatRequestError(.malformed, "body is not JSON")
        }
        guard let type = json["type"]?.intValue else { throw ChatRequestError(.malformed, "missing interaction type") }
        switch type {
        case Self.ping:
            return .ping
        case Self.applicationCommand:
            return try command(json)
        case Self.messageComponent:
            return try component(json)
        case Self.modalSubmit:
            return try modalSubmission(json)
        default:
            throw ChatRequestError(.malformed, "interaction type \(type) is not one Vigil registers")
        }
    }

    private func command(_ json: JSONValue) throws(ChatRequestError) -> Decoded {
        // The identity is checked before the options, as for every interaction.
        let partial = try invocation(json, text: "")
        guard let data = json["data"], nonEmpty(data["name"]) == DiscordApplicationCommand.name else {
            throw ChatRequestError(.malformed, "not the /\(DiscordApplicationCommand.name) command")
        }
        switch commandText(data) {
        case let .success(rebuilt):
            var invocation = partial
            invocation.text = rebuilt
            return .command(invocation)
        case let .failure(error): return .refused(error.reply)
        }
    }

    /// The invocation an interaction makes, running `/incident <text>`: who, where, and the
    /// interaction's webhook, where a deferred reply is edited.
    func invocation(_ json: JSONValue, text: String) throws(ChatRequestError) -> Invocation {
        guard let id = nonEmpty(json["id"]), let token = nonEmpty(json["token"]) else {
            throw ChatRequestError(.malformed, "missing interaction id or token")
        }
        // In a server the user is the member's; in a direct message it stands alone.
        guard let userJSON = json["member"]?["user"] ?? json["user"], let userID = nonEmpty(userJSON["id"]) else {
            throw ChatRequestError(.malformed, "missing interaction user")
        }
        let name = nonEmpty(json["member"]?["nick"]) ?? nonEmpty(userJSON["global_name"]) ?? nonEmpty(userJSON["username"]) ?? userID
        let channelID = nonEmpty(json["channel_id"]) ?? nonEmpty(json["channel"]?["id"]) ?? ""
        return Invocation(
            platform: "discord",
            // The identity is the user's id; nick and names are chosen by the user, for display only.
            user: UserRef(id: userID, name: name, platform: "discord"),
            channelName: nonEmpty(json["channel"]?["name"]) ?? "",
            channelID: channelID,
            command: "/" + DiscordApplicationCommand.name,
            text: text,
            responseURL: "\(apiBase)/webhooks/\(applicationID)/\(token)/messages/@original",
            requestID: id)
    }

    /// The typed form of `data.options`: the sub-command, its `--options`, then its arguments in
    /// the spec's order, the free text last and as given.
    func commandText(_ data: JSONValue) -> Result<String, UserError> {
        guard let sub = data["options"]?.arrayValue?.first,
            sub["type"]?.intValue == DiscordApplicationCommand.OptionType.subcommand.rawValue,
            let subName = nonEmpty(sub["name"])
        else {
            return .failure(UserError("Choose a sub-command of /\(DiscordApplicationCommand.name), such as `open` or `help`."))
        }
        var given: [String: JSONValue] = [:]
        for option in sub["options"]?.arrayValue ?? [] {
            if let name = nonEmpty(option["name"]), let value = option["value"] { given[name] = value }
        }
        // A sub-command Vigil no longer has (the registration is older than commands/): the
        // parser answers it as typed, with its suggestions.
        guard let spec = specs[subName] else { return .success(subName) }
        let users = data["resolved"]?["users"]
        var words = [subName]
        for option in spec.options {
            guard let value = given[option.name] else { continue }
            if option.type == .flag {
                if value.boolValue == true { words.append("--\(option.name)") }
                continue
            }
            guard let text = scalarText(value) else { continue }
            let parts = option.repeatable ? text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init) : [text]
            for part in parts where !part.isEmpty {
                switch word(part, for: option.name, usage: spec.usage) {
                case let .success(quoted): words.append("--\(option.name)=\(quoted)")
                case let .failure(error): return .failure(error)
                }
            }
        }
        for argument in spec.arguments {
            guard let value = given[argument.name], let text = scalarText(value), !text.isEmpty else { continue }
            switch argument.type {
            case .text:
                // The rest of the line, as given: it is last, so it needs no quoting.
                words.append(text)
            case .user:
                let username = nonEmpty(users?[text]?["username"]) ?? text
                words.append("<@\(text)|\(username)>")
            default:
                switch word(text, for: argument.name, usage: spec.usage) {
                case let .success(quoted): words.append(quoted)
                case let .failure(error): return .failure(error)
                }
            }
        }
        return .success(words.joined(separator: " "))
    }

    /// One value as one word: quoted when it holds spaces or could pass for an option. The
    /// tokenizer has no escape for a quote inside quotes, so a value holding one is refused.
    private func word(_ text: String, for name: String, usage: String) -> Result<String, UserError> {
        if text.contains(where: { "\"\u{201C}\u{201D}\u{201E}".contains($0) }) {
            return .failure(UserError("`\(name)` cannot contain a double quote.", usage: usage))
        }
        if text.contains(where: \.isWhitespace) || text.hasPrefix("--") { return .success("\"\(text)\"") }
        return .success(text)
    }

    private func scalarText(_ value: JSONValue) -> String? {
        if let text = value.stringValue { return text.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let number = value.intValue { return String(number) }
        if let flag = value.boolValue { return String(flag) }
        return nil
    }

    func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }
}
