import Foundation
import VigilCore
import VigilJSON

/// A room row's destination (`outbox.destination` of a row whose `channel` is `room`): the
/// incident channel to make sure of, who to invite, and the steps to pin.
///
/// ```json
/// {"platform":"slack","name":"inc-7","visibility":"private","invite":["slack:U0AVA"],
///  "archive_after_s":259200,"steps":{"lines":[…],"actions":[…]}}
/// ```
///
/// The invitees identify people, so the column is nulled once the row is finished, as a page's
/// is, and decoding errors name members, never values.
extension StoreJSON {
    static func encode(room: RoomRequest) -> String {
        var members: [(String, JSONValue)] = [
            ("platform", .string(room.platform)), ("name", .string(room.name)), ("visibility", .string(room.visibility.rawValue)),
            ("invite", .array(room.invite.map { .string($0.description) })),
            ("archive_after_s", .int(room.archiveAfter.components.seconds)),
        ]
        if let steps = room.steps { members.append(("steps", .object(Self.members(steps)))) }
        return JSONValue.object(members).serializedString()
    }

    /// A room request, strictly: each member once, and no other.
    static func decodeRoom(_ text: String) throws -> RoomRequest {
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw RowDecodingError("room: \(error)")
        }
        guard let members = root.objectMembers else { throw RowDecodingError("room: not an object") }
        var fields: [String: JSONValue] = [:]
        for (key, value) in members {
            guard fields.updateValue(value, forKey: key) == nil else { throw RowDecodingError("room.\(key): repeated") }
        }
        let known: Set<String> = ["platform", "name", "visibility", "invite", "archive_after_s", "steps"]
        guard Set(fields.keys).isSubset(of: known) else { throw RowDecodingError("room: an unknown member") }
        func string(_ key: String) throws -> String {
            guard let value = fields[key]?.stringValue else { throw RowDecodingError("room: no string \(key)") }
            return value
        }
        guard let visibility = RoomVisibility(rawValue: try string("visibility")) else {
            throw RowDecodingError("room.visibility: unknown")
        }
        guard let invited = fields["invite"]?.arrayValue else { throw RowDecodingError("room: no array invite") }
        let invite = try invited.map { value in
            guard let text = value.stringValue, let identity = Identity(parsing: text) else {
                throw RowDecodingError("room.invite: not platform:id")
            }
            return identity
        }
        guard let seconds = fields["archive_after_s"]?.intValue, seconds >= 0 else { throw RowDecodingError("room: no archive_after_s") }
        let steps = try fields["steps"].map { try message($0, "room.steps") }
        return RoomRequest(
            platform: try string("platform"), name: try string("name"), visibility: visibility, invite: invite,
            archiveAfter: .seconds(seconds), steps: steps)
    }
}
