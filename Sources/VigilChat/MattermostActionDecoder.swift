import VigilCore
import VigilJSON

/// Decodes a Mattermost button press (`PostActionIntegrationRequest`, protocols.md §2) into the
/// ``Invocation`` of the command the button carries, as if the presser had typed
/// `/incident <command>`.
///
/// The body is JSON, unsigned: what proves it is Vigil's button is the MAC in its `context`
/// (``MattermostActionMAC``), which ``check(_:mac:)`` verifies before ``decode(_:platform:)`` runs.
public enum MattermostActionDecoder {
    /// The press's JSON object, or `malformed`.
    static func press(_ body: [UInt8]) throws(ChatRequestError) -> JSONValue {
        guard let press = try? JSONValue.parse(body), press.objectMembers != nil else {
            throw ChatRequestError(.malformed, "body is not a JSON object")
        }
        return press
    }

    /// Refuses, as `unauthorized`, a press whose `context` does not carry a command and its MAC.
    public static func check(_ body: [UInt8], mac: MattermostActionMAC) throws(ChatRequestError) {
        // A body that is not JSON is not a press Vigil's button made: refused like a forged one.
        guard let press = try? press(body) else { throw ChatRequestError(.unauthorized, "missing button MAC") }
        try mac.verify(command: press["context"]?["command"]?.stringValue, mac: press["context"]?["mac"]?.stringValue)
    }

    /// The press in `body` as `/incident <context.command>`; `malformed` without the presser,
    /// the trigger id or the command.
    public static func decode(_ body: [UInt8], platform: String) throws(ChatRequestError) -> Invocation {
        let press = try press(body)
        func required(_ name: String, _ value: JSONValue?) throws(ChatRequestError) -> String {
            guard let string = value?.stringValue, !string.isEmpty else { throw ChatRequestError(.malformed, "missing field \(name)") }
            return string
        }
        let userID = try required("user_id", press["user_id"])
        // Mattermost sends a trigger id with every press; it is what makes a repeat idempotent.
        let triggerID = try required("trigger_id", press["trigger_id"])
        let command = try required("context.command", press["context"]?["command"])
        let name = press["user_name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? userID
        return Invocation(
            platform: platform,
            // As for commands: the identity is the user ID; the name is for display only.
            user: UserRef(id: userID, name: name, platform: platform),
            channelName: press["channel_name"]?.stringValue ?? "",
            channelID: press["channel_id"]?.stringValue ?? "",
            command: Invocation.incidentCommand, text: command, responseURL: nil, requestID: triggerID)
    }
}
