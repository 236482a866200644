import Foundation
import VigilCore
import VigilJSON

/// A stored row that cannot be read back as a model value. The store reports it as a
/// ``StoreError`` with kind `.failure`; messages name the column, never the stored text (which
/// may belong to a restricted incident).
struct RowDecodingError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Times in the store: UTC milliseconds since 1970, rounded to the nearest millisecond the same
/// way ``EventChain`` rounds them, so a hash computed before storing holds after reading back.
enum StoreTime {
    static func milliseconds(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        // Clamp rather than trap on a date no calendar needs (±292 million years).
        guard ms.isFinite else { return ms > 0 ? .max : .min }
        return ms >= 9.2e18 ? .max : ms <= -9.2e18 ? .min : Int64(ms)
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }
}

/// The JSON forms of the model values the store keeps in text columns, written and read through
/// `VigilJSON`. Decoding is strict: a missing member, a wrong type or an unknown tag is an error.
///
/// ```json
/// {"visibility":"ephemeral","lines":[[{"t":"text","v":"Opened "},{"t":"mention","id":"U1","name":"ava"}]]}
/// ```
enum StoreJSON {
    // MARK: - Writing

    static func encode(_ reply: Reply) -> String {
        JSONValue.object([("visibility", .string(reply.visibility.rawValue)), ("lines", lines(reply.message))])
            .serializedString()
    }

    static func encode(_ message: Message) -> String {
        JSONValue.object([("lines", lines(message))]).serializedString()
    }

    /// An object with its keys sorted, so equal payloads are stored as equal text.
    static func encode(payload: [String: String]) -> String {
        JSONValue.object(payload.keys.sorted().map { ($0, .string(payload[$0]!)) }).serializedString()
    }

    static func encode(refs: [String]) -> String {
        JSONValue.array(refs.map { .string($0) }).serializedString()
    }

    private static func lines(_ message: Message) -> JSONValue {
        .array(message.lines.map { line in .array(line.map(span)) })
    }

    private static func span(_ span: Span) -> JSONValue {
        switch span {
        case let .text(s): ["t": "text", "v": .string(s)]
        case let .bold(s): ["t": "bold", "v": .string(s)]
        case let .code(s): ["t": "code", "v": .string(s)]
        case let .mention(user): ["t": "mention", "id": .string(user.id), "name": .string(user.name)]
        }
    }

    // MARK: - Reading

    static func decodeReply(_ text: String) throws -> Reply {
        let root = try parse(text, "reply")
        guard let raw = root["visibility"]?.stringValue else { throw RowDecodingError("reply: no visibility") }
        guard let visibility = ReplyVisibility(rawValue: raw) else {
            throw RowDecodingError("reply: unknown visibility")
        }
        return Reply(visibility, try message(root, "reply"))
    }

    static func decodeMessage(_ text: String) throws -> Message {
        try message(try parse(text, "message"), "message")
    }

    static func decodePayload(_ text: String) throws -> [String: String] {
        guard let members = try parse(text, "payload").objectMembers else {
            throw RowDecodingError("payload: not an object")
        }
        var payload: [String: String] = [:]
        for (key, value) in members {
            guard let string = value.stringValue else { throw RowDecodingError("payload: a value is not a string") }
            guard payload.updateValue(string, forKey: key) == nil else {
                throw RowDecodingError("payload: a key is repeated")
            }
        }
        return payload
    }

    static func decodeRefs(_ text: String) throws -> [String] {
        guard let elements = try parse(text, "refs").arrayValue else { throw RowDecodingError("refs: not an array") }
        return try elements.map {
            guard let ref = $0.stringValue else { throw RowDecodingError("refs: an element is not a string") }
            return ref
        }
    }

    private static func parse(_ text: String, _ what: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(text)
        } catch {
            throw RowDecodingError("\(what): \(error)")
        }
    }

    private static func message(_ root: JSONValue, _ what: String) throws -> Message {
        guard let lines = root["lines"]?.arrayValue else { throw RowDecodingError("\(what): no lines array") }
        return Message(
            lines: try lines.map { line in
                guard let spans = line.arrayValue else { throw RowDecodingError("\(what): a line is not an array") }
                return try spans.map { try span($0, what) }
            })
    }

    private static func span(_ value: JSONValue, _ what: String) throws -> Span {
        func string(_ key: String) throws -> String {
            guard let s = value[key]?.stringValue else {
                throw RowDecodingError("\(what): a span has no string \"\(key)\"")
            }
            return s
        }
        switch try string("t") {
        case "text": return .text(try string("v"))
        case "bold": return .bold(try string("v"))
        case "code": return .code(try string("v"))
        case "mention": return .mention(UserRef(id: try string("id"), name: try string("name")))
        default: throw RowDecodingError("\(what): a span has an unknown type")
        }
    }
}
