import Foundation
import VigilCore
import VigilJSON

/// A page row's destination (`outbox.destination` of a row whose `channel` is `page`): the
/// target's kind and address, and whether an acknowledgement makes it moot.
///
/// ```json
/// {"kind":"chat","to":"slack:U0AVA","ends_with_ack":true}
/// {"kind":"ntfy","topic":"ava-pager","ends_with_ack":true}
/// {"kind":"email","address":"legal@example.com","ends_with_ack":false}
/// {"kind":"pagerduty","action":"trigger","level":"lead","ends_with_ack":false}
/// ```
///
/// A topic or an address identifies a person, so the column is nulled once the row is finished,
/// as a reply's is, and decoding errors name members, never values.
extension StoreJSON {
    static func encode(page: Page) -> String {
        var members: [(String, JSONValue)]
        switch page.target {
        case let .chat(identity): members = [("kind", .string("chat")), ("to", .string(identity.description))]
        case let .ntfy(topic): members = [("kind", .string("ntfy")), ("topic", .string(topic))]
        case let .email(address): members = [("kind", .string("email")), ("address", .string(address))]
        case let .pagerDuty(action, level):
            members = [("kind", .string("pagerduty")), ("action", .string(action.rawValue)), ("level", .string(level))]
        }
        members.append(("ends_with_ack", .bool(page.endsWithAck)))
        return JSONValue.object(members).serializedString()
    }

    /// A page, strictly: the members its kind needs, each once, and no other.
    static func decodePage(_ text: String) throws -> Page {
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw RowDecodingError("page: \(error)")
        }
        guard let members = root.objectMembers else { throw RowDecodingError("page: not an object") }
        var fields: [String: JSONValue] = [:]
        for (key, value) in members {
            guard fields.updateValue(value, forKey: key) == nil else { throw RowDecodingError("page.\(key): repeated") }
        }
        func string(_ key: String) throws -> String {
            guard let value = fields[key]?.stringValue else { throw RowDecodingError("page: no string \(key)") }
            return value
        }
        guard case let .bool(endsWithAck)? = fields["ends_with_ack"] else { throw RowDecodingError("page: no boolean ends_with_ack") }
        let target: PageTarget
        let expected: Set<String>
        switch try string("kind") {
        case "chat":
            guard let identity = Identity(parsing: try string("to")) else { throw RowDecodingError("page.to: not platform:id") }
            (target, expected) = (.chat(identity), ["to"])
        case "ntfy": (target, expected) = (.ntfy(topic: try string("topic")), ["topic"])
        case "email": (target, expected) = (.email(address: try string("address")), ["address"])
        case "pagerduty":
            guard let action = PagerDutyAction(rawValue: try string("action")) else { throw RowDecodingError("page.action: unknown") }
            (target, expected) = (.pagerDuty(action, level: try string("level")), ["action", "level"])
        default: throw RowDecodingError("page.kind: unknown")
        }
        guard Set(fields.keys) == expected.union(["kind", "ends_with_ack"]) else { throw RowDecodingError("page: an unknown member") }
        return Page(target, endsWithAck: endsWithAck)
    }
}
