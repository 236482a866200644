import VigilCore
import VigilJSON

// MARK: - Buttons

/// A message's buttons as Block Kit `actions` blocks. A press comes back to `/slack/interactions`
/// (``SlackInteractionDecoder``) carrying the button's `value`: the command, and nothing else.
extension SlackRenderer {
    /// Slack's limits (Block Kit reference, `slack_sdk.models.blocks`): 25 elements per `actions`
    /// block, 75 characters of button text, 2,000 of `value`, 255 of `action_id`.
    static let maxActionsPerBlock = 25
    static let maxButtonText = 75
    static let maxButtonValue = 2000
    static let maxActionID = 255
    /// Every Vigil button's `action_id` starts with this, so a press from anything else is refused.
    public static let actionIDPrefix = "vigil-"

    /// One `actions` block per 25 buttons (at most two, as the core attaches far fewer); none when
    /// the message has no buttons.
    static func actionBlocks(_ actions: [MessageAction]) -> [JSONValue] {
        let buttons = actions.compactMap(button)
        return stride(from: 0, to: min(buttons.count, 2 * maxActionsPerBlock), by: maxActionsPerBlock).map { start in
            ["type": "actions", "elements": .array(Array(buttons[start..<min(start + maxActionsPerBlock, buttons.count)]))]
        }
    }

    /// One button; `nil` when its command is longer than a `value` holds, since a cut command
    /// would run something else.
    static func button(_ action: MessageAction) -> JSONValue? {
        guard action.command.count <= maxButtonValue else { return nil }
        var button: [(String, JSONValue)] = [
            ("type", "button"),
            ("action_id", .string(String((actionIDPrefix + action.name).prefix(maxActionID)))),
            // Button text is plain_text, so nothing in a label is markup and it needs no escaping.
            ("text", ["type": "plain_text", "text": .string(truncate(action.label, to: maxButtonText))]),
            ("value", .string(action.command)),
        ]
        switch action.style {
        case .primary: button.append(("style", "primary"))
        case .danger: button.append(("style", "danger"))
        case .plain: break
        }
        return .object(button)
    }
}
