import Foundation
import VigilCore
import VigilJSON

// MARK: - Buttons and modals

/// Presses of Vigil's buttons (MESSAGE_COMPONENT) and submissions of its modal (MODAL_SUBMIT),
/// as the commands they carry in their `custom_id` (``DiscordComponents``).
extension DiscordInteractionDecoder {
    /// `vigil:<command>` runs the command; `vigil-ask:<command>` first asks, with a modal, for
    /// the text it still needs. Anything else is not Vigil's button.
    func component(_ json: JSONValue) throws(ChatRequestError) -> Decoded {
        let customID = try self.customID(json)
        // The presser is checked before anything is answered, a modal included.
        let invocation = try invocation(json, text: "")
        if let command = Self.command(customID, prefix: DiscordComponents.askPrefix) {
            return .modal(DiscordComponents.modal(command: command))
        }
        guard let command = Self.command(customID, prefix: DiscordComponents.runPrefix) else {
            throw ChatRequestError(.malformed, "custom_id is not one of Vigil's buttons")
        }
        return .press(with(invocation, text: command))
    }

    /// The modal's answer appended to its command: `resolve INC-42 Card testing blocked`. The
    /// answer is one line of a command, so its line breaks become spaces; an empty answer leaves
    /// the command as it stands, for the parser to refuse with its usage as it would refuse it
    /// typed.
    func modalSubmission(_ json: JSONValue) throws(ChatRequestError) -> Decoded {
        let customID = try self.customID(json)
        let invocation = try invocation(json, text: "")
        guard let command = Self.command(customID, prefix: DiscordComponents.runPrefix) else {
            throw ChatRequestError(.malformed, "custom_id is not one of Vigil's modals")
        }
        let answer = Self.answer(in: json["data"]?["components"])
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
        return .press(with(invocation, text: answer.isEmpty ? command : command + " " + answer))
    }

    private func customID(_ json: JSONValue) throws(ChatRequestError) -> String {
        guard let customID = nonEmpty(json["data"]?["custom_id"]) else { throw ChatRequestError(.malformed, "missing data.custom_id") }
        return customID
    }

    private func with(_ invocation: Invocation, text: String) -> Invocation {
        var invocation = invocation
        invocation.text = text
        return invocation
    }

    /// The command after `prefix`, when it is there and names something.
    static func command(_ customID: String, prefix: String) -> String? {
        guard customID.hasPrefix(prefix) else { return nil }
        let command = customID.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        return command.isEmpty ? nil : command
    }

    /// The value of the modal's text input. Discord nests it in an action row (`components`) or,
    /// in newer modals, a label (`component`); either way it is the first text input found.
    static func answer(in components: JSONValue?, depth: Int = 0) -> String {
        // Vigil's modal is two levels deep; a deeper body is not Vigil's, and is not walked.
        guard depth < 4 else { return "" }
        for component in components?.arrayValue ?? [] {
            if component["type"]?.intValue == DiscordComponents.textInput, let value = component["value"]?.stringValue {
                return String(value.prefix(DiscordComponents.maxAnswer))
            }
            if let single = component["component"] {
                let found = answer(in: .array([single]), depth: depth + 1)
                if !found.isEmpty { return found }
            }
            let found = answer(in: component["components"], depth: depth + 1)
            if !found.isEmpty { return found }
        }
        return ""
    }
}
