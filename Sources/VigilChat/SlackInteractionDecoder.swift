import VigilCore
import VigilJSON

/// Decodes a Slack button press (a `block_actions` interaction) into the ``Invocation`` of the
/// command the button carries, as if the presser had typed `/incident <command>`.
///
/// Slack posts interactions as a form with one field, `payload`, holding the JSON (protocols.md
/// §1); the signature covers the raw form body, so the adapter verifies it exactly as it verifies
/// a slash command, before this runs.
public enum SlackInteractionDecoder {
    /// The only interaction type Vigil's messages produce: a button in a message.
    static let blockActions = "block_actions"

    /// The press in `form` as `/incident <the button's value>`; `malformed` for any other
    /// interaction, another app's button, or a missing field.
    public static func decode(_ form: FormBody, platform: String) throws(ChatRequestError) -> Invocation {
        guard let text = form["payload"], !text.isEmpty else { throw ChatRequestError(.malformed, "missing field payload") }
        guard let payload = try? JSONValue.parse(Array(text.utf8)), payload.objectMembers != nil else {
            throw ChatRequestError(.malformed, "payload is not a JSON object")
        }
        guard payload["type"]?.stringValue == blockActions else {
            throw ChatRequestError(.malformed, "interaction type is not \(blockActions)")
        }
        func required(_ value: JSONValue?, _ name: String) throws(ChatRequestError) -> String {
            guard let string = value?.stringValue, !string.isEmpty else { throw ChatRequestError(.malformed, "missing field \(name)") }
            return string
        }
        let userID = try required(payload["user"]?["id"], "user.id")
        let triggerID = try required(payload["trigger_id"], "trigger_id")
        let responseURL = try required(payload["response_url"], "response_url")
        guard let action = payload["actions"]?.arrayValue?.first else { throw ChatRequestError(.malformed, "missing field actions") }
        let actionID = try required(action["action_id"], "actions[0].action_id")
        // Only Vigil's own buttons run commands: another app's block in the same message is not one.
        guard actionID.hasPrefix(SlackRenderer.actionIDPrefix) else {
            throw ChatRequestError(.malformed, "action_id is not one of Vigil's")
        }
        let command = try required(action["value"], "actions[0].value")
        let name = nonEmpty(payload["user"]?["username"]) ?? nonEmpty(payload["user"]?["name"]) ?? userID
        return Invocation(
            platform: platform,
            // As for commands: the identity is the user ID; the name is for display only.
            user: UserRef(id: userID, name: name, platform: platform),
            channelName: nonEmpty(payload["channel"]?["name"]) ?? "",
            channelID: nonEmpty(payload["channel"]?["id"]) ?? "",
            command: Invocation.incidentCommand, text: command, responseURL: responseURL, requestID: triggerID)
    }

    private static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let string = value?.stringValue, !string.isEmpty else { return nil }
        return string
    }
}
