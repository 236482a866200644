import Foundation
import VigilCore
import VigilJSON

/// A reply row's destination (`outbox.destination`), in this member order, the expiry in UTC
/// milliseconds, the body the platform's rendered JSON kept as one string:
///
/// ```json
/// {"platform":"slack","method":"POST","url":"https://hooks.slack.com/commands/…","body":"{\"text\":…}","expires_at_ms":1790000000123}
/// ```
///
/// The column holds the address's credential, so it is set to NULL once the row is delivered or
/// dead-lettered, and decoding errors name members, never values.
extension StoreJSON {
    static func encode(destination: ReplyDestination) -> String {
        JSONValue.object([
            ("platform", .string(destination.platform)), ("method", .string(destination.method)), ("url", .string(destination.url)),
            ("body", .string(destination.body)), ("expires_at_ms", .int(StoreTime.milliseconds(destination.expiresAt))),
        ]).serializedString()
    }

    /// A destination, strictly: every member present once, of its type, and no other.
    static func decodeDestination(_ text: String) throws -> ReplyDestination {
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw RowDecodingError("destination: \(error)")
        }
        guard let members = root.objectMembers else { throw RowDecodingError("destination: not an object") }
        let known: Set = ["platform", "method", "url", "body", "expires_at_ms"]
        var fields: [String: JSONValue] = [:]
        for (key, value) in members {
            guard known.contains(key) else { throw RowDecodingError("destination: an unknown member") }
            guard fields.updateValue(value, forKey: key) == nil else { throw RowDecodingError("destination.\(key): repeated") }
        }
        func string(_ key: String) throws -> String {
            guard let value = fields[key]?.stringValue else { throw RowDecodingError("destination: no string \(key)") }
            return value
        }
        guard case let .int(expires)? = fields["expires_at_ms"] else { throw RowDecodingError("destination: no integer expires_at_ms") }
        return ReplyDestination(
            platform: try string("platform"), method: try string("method"), url: try string("url"), body: try string("body"),
            expiresAt: StoreTime.date(expires))
    }
}
