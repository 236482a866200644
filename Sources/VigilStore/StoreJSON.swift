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
///
/// A message with buttons adds `"actions"`, left out when there are none (rows written before
/// buttons existed read as having none):
///
/// ```json
/// "actions":[{"name":"ack","label":"Ack","command":"ack INC-42","style":"primary"},
///            {"name":"resolve","label":"Resolve","command":"resolve INC-42","style":"danger","asks":"How was INC-42 resolved?"}]
/// ```
///
/// Step records (`incidents.steps`) are objects in this member order, times in UTC milliseconds,
/// evidence with its keys sorted, and the optional members left out when they are `nil`:
///
/// ```json
/// [{"step":"freeze","status":"done","by":{"id":"U1","name":"ava"},"at_ms":1790000000123,
///   "evidence":{"ticket":"ZD-1"},"reason":"…","approved_by":{"id":"U2","name":"ben"},"approved_at_ms":1790000060000}]
/// ```
enum StoreJSON {
    // MARK: - Writing

    static func encode(_ reply: Reply) -> String {
        JSONValue.object([("visibility", .string(reply.visibility.rawValue))] + members(reply.message)).serializedString()
    }

    static func encode(_ message: Message) -> String {
        JSONValue.object(members(message)).serializedString()
    }

    static func members(_ message: Message) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [("lines", lines(message))]
        if !message.actions.isEmpty { members.append(("actions", .array(message.actions.map(action)))) }
        return members
    }

    private static func action(_ action: MessageAction) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(action.name)), ("label", .string(action.label)), ("command", .string(action.command)),
            ("style", .string(action.style.rawValue)),
        ]
        if let asks = action.asks { members.append(("asks", .string(asks))) }
        return .object(members)
    }

    /// An object with its keys sorted, so equal payloads are stored as equal text.
    static func encode(payload: [String: String]) -> String {
        sortedObject(payload).serializedString()
    }

    static func encode(steps: [StepRecord]) -> String {
        JSONValue.array(steps.map(step)).serializedString()
    }

    /// `[{"id":"csam","attached_at_ms":1790000000123}]`, primary first.
    static func encode(playbooks: [AttachedPlaybook]) -> String {
        JSONValue.array(
            playbooks.map { .object([("id", .string($0.id)), ("attached_at_ms", .int(StoreTime.milliseconds($0.attachedAt)))]) }
        )
        .serializedString()
    }

    static func encode(refs: [String]) -> String {
        JSONValue.array(refs.map { .string($0) }).serializedString()
    }

    private static func sortedObject(_ strings: [String: String]) -> JSONValue {
        .object(strings.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    private static func step(_ record: StepRecord) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("step", .string(record.step)), ("status", .string(record.status.rawValue)), ("by", user(record.by)),
            ("at_ms", .int(StoreTime.milliseconds(record.at))), ("evidence", sortedObject(record.evidence)),
        ]
        if let playbook = record.playbook { members.append(("playbook", .string(playbook))) }
        if let reason = record.reason { members.append(("reason", .string(reason))) }
        if let approvedBy = record.approvedBy { members.append(("approved_by", user(approvedBy))) }
        if let approvedAt = record.approvedAt {
            members.append(("approved_at_ms", .int(StoreTime.milliseconds(approvedAt))))
        }
        return .object(members)
    }

    private static func user(_ user: UserRef) -> JSONValue {
        ["id": .string(user.storedID), "name": .string(user.name)]
    }

    private static func lines(_ message: Message) -> JSONValue {
        .array(message.lines.map { line in .array(line.map(span)) })
    }

    private static func span(_ span: Span) -> JSONValue {
        switch span {
        case let .text(s): ["t": "text", "v": .string(s)]
        case let .bold(s): ["t": "bold", "v": .string(s)]
        case let .code(s): ["t": "code", "v": .string(s)]
        case let .mention(user): ["t": "mention", "id": .string(user.storedID), "name": .string(user.name)]
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
        try strings(try parse(text, "payload"), "payload")
    }

    static func decodeRefs(_ text: String) throws -> [String] {
        guard let elements = try parse(text, "refs").arrayValue else { throw RowDecodingError("refs: not an array") }
        return try elements.map {
            guard let ref = $0.stringValue else { throw RowDecodingError("refs: an element is not a string") }
            return ref
        }
    }

    /// Attached playbooks, strictly: each an object with exactly `id` and `attached_at_ms`.
    static func decodePlaybooks(_ text: String) throws -> [AttachedPlaybook] {
        guard let elements = try parse(text, "playbooks").arrayValue else { throw RowDecodingError("playbooks: not an array") }
        return try elements.enumerated().map { index, element in
            let what = "playbooks[\(index)]"
            var fields = try members(element, what, known: ["id", "attached_at_ms"])
            guard let id = fields.removeValue(forKey: "id"), let at = fields.removeValue(forKey: "attached_at_ms") else {
                throw RowDecodingError("\(what): needs id and attached_at_ms")
            }
            return AttachedPlaybook(id: try string(id, "\(what).id"), attachedAt: try time(at, "\(what).attached_at_ms"))
        }
    }

    /// Step records, strictly: a member missing, repeated, unknown, `null` or of the wrong type is
    /// an error, so a misspelt `approved_by` cannot quietly drop an approval.
    static func decodeSteps(_ text: String) throws -> [StepRecord] {
        guard let elements = try parse(text, "steps").arrayValue else { throw RowDecodingError("steps: not an array") }
        return try elements.enumerated().map { index, element in try step(element, "steps[\(index)]") }
    }

    private static func step(_ value: JSONValue, _ what: String) throws -> StepRecord {
        var fields = try members(
            value, what,
            known: ["step", "status", "by", "at_ms", "evidence", "reason", "approved_by", "approved_at_ms", "playbook"])
        func take<T>(_ key: String, _ read: (JSONValue, String) throws -> T) throws -> T? {
            try fields.removeValue(forKey: key).map { try read($0, "\(what).\(key)") }
        }
        func require<T>(_ key: String, _ read: (JSONValue, String) throws -> T) throws -> T {
            guard let value = try take(key, read) else { throw RowDecodingError("\(what): no \(key)") }
            return value
        }
        let step = try require("step", string)
        guard let status = StepStatus(rawValue: try require("status", string)) else {
            throw RowDecodingError("\(what).status: unknown value")
        }
        return StepRecord(
            step: step, playbook: try take("playbook", string), status: status, by: try require("by", user), at: try require("at_ms", time),
            evidence: try require("evidence", strings), reason: try take("reason", string),
            approvedBy: try take("approved_by", user), approvedAt: try take("approved_at_ms", time))
    }

    /// An object's members by name; a repeated or unknown name is an error.
    private static func members(_ value: JSONValue, _ what: String, known: Set<String>) throws -> [String: JSONValue] {
        guard let members = value.objectMembers else { throw RowDecodingError("\(what): not an object") }
        var fields: [String: JSONValue] = [:]
        for (key, member) in members {
            // The name of an unknown member is stored text too: say only that there is one.
            guard known.contains(key) else { throw RowDecodingError("\(what): an unknown member") }
            guard fields.updateValue(member, forKey: key) == nil else {
                throw RowDecodingError("\(what).\(key): repeated")
            }
        }
        return fields
    }

    private static func string(_ value: JSONValue, _ what: String) throws -> String {
        guard let string = value.stringValue else { throw RowDecodingError("\(what): not a string") }
        return string
    }

    private static func time(_ value: JSONValue, _ what: String) throws -> Date {
        guard case let .int(milliseconds) = value else { throw RowDecodingError("\(what): not an integer") }
        return StoreTime.date(milliseconds)
    }

    private static func user(_ value: JSONValue, _ what: String) throws -> UserRef {
        let fields = try members(value, what, known: ["id", "name"])
        guard let id = fields["id"], let name = fields["name"] else { throw RowDecodingError("\(what): not a user") }
        return UserRef(storedID: try string(id, "\(what).id"), name: try string(name, "\(what).name"))
    }

    /// An object whose values are all strings, with no key repeated.
    private static func strings(_ value: JSONValue, _ what: String) throws -> [String: String] {
        guard let members = value.objectMembers else { throw RowDecodingError("\(what): not an object") }
        var strings: [String: String] = [:]
        for (key, member) in members {
            guard let string = member.stringValue else { throw RowDecodingError("\(what): a value is not a string") }
            guard strings.updateValue(string, forKey: key) == nil else {
                throw RowDecodingError("\(what): a key is repeated")
            }
        }
        return strings
    }

    private static func parse(_ text: String, _ what: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(text)
        } catch {
            throw RowDecodingError("\(what): \(error)")
        }
    }

    static func message(_ root: JSONValue, _ what: String) throws -> Message {
        guard let lines = root["lines"]?.arrayValue else { throw RowDecodingError("\(what): no lines array") }
        var actions: [MessageAction] = []
        if let stored = root["actions"] {
            guard let elements = stored.arrayValue else { throw RowDecodingError("\(what): actions is not an array") }
            actions = try elements.map { try action($0, what) }
        }
        return Message(
            lines: try lines.map { line in
                guard let spans = line.arrayValue else { throw RowDecodingError("\(what): a line is not an array") }
                return try spans.map { try span($0, what) }
            }, actions: actions)
    }

    private static func action(_ value: JSONValue, _ what: String) throws -> MessageAction {
        func string(_ key: String) throws -> String {
            guard let s = value[key]?.stringValue else { throw RowDecodingError("\(what): an action has no string \"\(key)\"") }
            return s
        }
        guard let style = MessageAction.Style(rawValue: try string("style")) else {
            throw RowDecodingError("\(what): an action has an unknown style")
        }
        var asks: String?
        if value["asks"] != nil { asks = try string("asks") }
        return MessageAction(name: try string("name"), label: try string("label"), command: try string("command"), style: style, asks: asks)
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
        case "mention": return .mention(UserRef(storedID: try string("id"), name: try string("name")))
        default: throw RowDecodingError("\(what): a span has an unknown type")
        }
    }
}
