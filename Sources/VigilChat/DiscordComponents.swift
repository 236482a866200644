import VigilCore
import VigilJSON

/// A message's buttons as Discord message components, and the modal that asks for the free text
/// a button's command still needs (Resolve's resolution).
///
/// A button's `custom_id` is the command itself, `vigil:ack INC-42`, so a press needs no state
/// on Vigil's side and carries nothing a message did not already say in its ID. A button whose
/// command asks for text is `vigil-ask:resolve INC-42`: its press opens the modal, whose
/// `custom_id` is `vigil:resolve INC-42`, and the submitted answer is appended to that command.
public enum DiscordComponents {
    /// Component types (Discord's `ComponentType`).
    static let actionRow: Int64 = 1
    static let button: Int64 = 2
    static let textInput: Int64 = 4
    /// Button styles: primary (blurple), secondary (grey), danger (red).
    static let primaryStyle: Int64 = 1
    static let secondaryStyle: Int64 = 2
    static let dangerStyle: Int64 = 4
    /// The text input style of a multi-line field.
    static let paragraphStyle: Int64 = 2

    /// Discord's limits: 5 buttons per row, 5 rows per message, 100 characters of `custom_id`,
    /// 80 of button label; 45 of modal title and of text input label; 1,000 for the answer (Vigil's
    /// choice, well within Discord's 4,000, as a resolution is a sentence or two).
    static let maxButtonsPerRow = 5
    static let maxRows = 5
    static let maxCustomID = 100
    static let maxLabel = 80
    static let maxModalTitle = 45
    static let maxInputLabel = 45
    static let maxAnswer = 1000

    /// The prefix of a button that runs its command, and of the modal that completes one.
    public static let runPrefix = "vigil:"
    /// The prefix of a button that first asks for text, with a modal.
    public static let askPrefix = "vigil-ask:"
    /// The modal's one text input.
    static let answerID = "answer"

    /// Action rows of at most five buttons, at most five rows. A button whose `custom_id` would
    /// be over 100 characters is left out: cutting it would cut the command, and run another.
    static func rows(_ actions: [MessageAction]) -> [JSONValue] {
        let buttons = actions.compactMap(button).prefix(maxButtonsPerRow * maxRows)
        return stride(from: 0, to: buttons.count, by: maxButtonsPerRow).map { start in
            let row = buttons[(buttons.startIndex + start)..<min(buttons.startIndex + start + maxButtonsPerRow, buttons.endIndex)]
            return ["type": .int(actionRow), "components": .array(Array(row))]
        }
    }

    static func button(_ action: MessageAction) -> JSONValue? {
        let customID = (action.asks == nil ? runPrefix : askPrefix) + action.command
        guard customID.count <= maxCustomID else { return nil }
        let style: Int64 =
            switch action.style {
            case .primary: primaryStyle
            case .danger: dangerStyle
            case .plain: secondaryStyle
            }
        return [
            "type": .int(button), "style": .int(style), "label": .string(cut(action.label, to: maxLabel)), "custom_id": .string(customID),
        ]
    }

    /// The MODAL answer (type 9) to a press of an asking button: one required paragraph field
    /// labelled with the question, submitted back as `vigil:<command>`. The press carries only
    /// the `custom_id`, not the button's `asks`, so the question is rebuilt from the command
    /// (``question(_:)``), in the core's words for Resolve.
    static func modal(command: String) -> JSONValue {
        let input: JSONValue = [
            "type": .int(textInput), "custom_id": .string(answerID), "style": .int(paragraphStyle),
            "label": .string(cut(question(command), to: maxInputLabel)), "required": true, "min_length": 1,
            "max_length": .int(Int64(maxAnswer)),
        ]
        return [
            "type": .int(DiscordRenderer.modal),
            "data": [
                "custom_id": .string(runPrefix + command), "title": .string(cut(title(command), to: maxModalTitle)),
                "components": [["type": .int(actionRow), "components": [input]]],
            ],
        ]
    }

    /// `resolve INC-42` → `Resolve INC-42`.
    static func title(_ command: String) -> String {
        command.prefix(1).uppercased() + command.dropFirst()
    }

    /// The modal field's label: `How was INC-42 resolved?` for `resolve INC-42`, as the core's
    /// Resolve button asks; `Text for <verb>` for any other command that takes free text last.
    static func question(_ command: String) -> String {
        let words = command.split(separator: " ").map(String.init)
        guard let verb = words.first else { return "Text" }
        if verb == "resolve", words.count > 1 { return "How was \(words[1]) resolved?" }
        return "Text for \(verb)"
    }

    static func cut(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
