import Foundation
import VigilCore
import Yams

/// Values that both `vigil.yaml` and playbooks hold: required keys, trimmed texts, legal clocks,
/// users, time zones and date-times.
extension YAMLReader {
    /// Reports each of `keys` that is absent or empty in `fields`.
    func required(_ keys: [String], in fields: Fields, of node: Node, at path: String) {
        let place = path.isEmpty ? "" : " in \(path)"
        for key in keys where fields[key] == nil {
            error("missing required key \"\(key)\"\(place)", at: fields.keyNode(key) ?? node)
        }
    }

    /// Reports the keys of `keys` absent or empty in `fields` in one message, `path needs a, b and c`;
    /// `false` when any is missing.
    @discardableResult
    func needs(_ keys: [String], in fields: Fields, of node: Node, at path: String) -> Bool {
        let missing = keys.filter { fields[$0] == nil }
        guard !missing.isEmpty else { return true }
        let list = missing.count == 1 ? missing[0] : missing.dropLast().joined(separator: ", ") + " and " + missing.last!
        error("\(Self.name(path)) needs \(list)", at: node)
        return false
    }

    /// The trimmed text of `key`; `nil` when absent (reported by `required`), not a string or blank.
    func text(_ fields: Fields, _ key: String, at path: String) -> String? {
        let keyPath = path.isEmpty ? key : "\(path).\(key)"
        guard let node = fields[key], let raw = string(node, at: keyPath) else { return nil }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            error("\(keyPath) is empty", at: node)
            return nil
        }
        return text
    }

    static let legalKeys = ["rule", "citation", "due", "from"]

    /// `{rule, citation, due, from}`, a playbook's or a category's legal clock at `path`; `nil`
    /// when any part is missing or wrong (reported).
    func legalClock(_ node: Node, at path: String) -> LegalClock? {
        guard let fields = fields(of: node, at: path, known: Self.legalKeys) else { return nil }
        required(["rule", "citation", "due"], in: fields, of: node, at: path)
        let rule = text(fields, "rule", at: path)
        let citation = text(fields, "citation", at: path)
        let due = fields["due"].flatMap { duration($0, at: "\(path).due") }
        let from = fields["from"].map { legalStart($0, at: "\(path).from") } ?? .known
        guard let rule, let citation, let due, let from else { return nil }
        return LegalClock(rule: rule, citation: citation, due: due, from: from)
    }

    /// Where a legal clock may run from. Not `start`: that is when a step opens, and a legal
    /// duty runs whatever the steps do.
    enum LegalStart: String, CaseIterable {
        case known, opened
    }

    /// A legal clock's `from`; `nil` (reported) for `start` or an unknown word.
    private func legalStart(_ node: Node, at path: String) -> ClockStart? {
        // The raw text: reading it with `string` here would report a missing variable twice.
        if let text = node.scalar?.string, text.lowercased() == ClockStart.start.rawValue {
            error("\(path) must be known or opened, found \"\(text)\" (start is for steps: when the step itself opens)", at: node)
            return nil
        }
        return oneOf(node, at: path, LegalStart.self).flatMap { ClockStart(rawValue: $0.rawValue) }
    }

    /// A person written as `<@U123>`, `<@U123|name>` or `@name`; `nil` (reported) otherwise.
    func user(_ text: String, at node: Node, in path: String) -> UserRef? {
        if let user = UserMention.parse(text.trimmingCharacters(in: .whitespaces)) { return user }
        error("invalid user \"\(text)\" in \(path) (write <@U123>, <@U123|name> or \"@name\")", at: node)
        return nil
    }

    /// A person from a string node; `nil` (reported) when it is not a string or not a mention.
    func user(_ node: Node, at path: String) -> UserRef? {
        guard let text = string(node, at: path) else { return nil }
        return user(text, at: node, in: path)
    }

    /// Reports a time zone that `TimeText.zone` does not know, with the closest IANA name.
    func unknownTimeZone(_ text: String, for path: String, at node: Node) {
        let close = Self.suggestion(for: text, in: TimeZone.knownTimeZoneIdentifiers)
        let hint = close.isEmpty ? " (use an IANA name such as UTC, Europe/Paris or America/New_York)" : close
        error("unknown time zone \"\(text)\" for \(Self.name(path))\(hint)", at: node)
    }
}

/// A date-time as config writes it, `2026-11-02 09:00 America/Los_Angeles`, split into its local
/// part and its zone so that the zone can be checked on its own and the wall-clock fields read.
struct DateTimeText {
    /// `2026-11-02 09:00` (seconds kept when given).
    var local: String
    /// `America/Los_Angeles`, `UTC`, `Z`, `+01:00`; `nil` when none was written.
    var zone: String?

    /// The same forms as ``VigilCore/TimeText/parse(_:in:)``: a space or `T` between date and
    /// time, then a zone after a space, or `Z` or an offset right after the time. `nil` when the
    /// text does not have that shape (the parts themselves are checked by `TimeText`).
    init?(_ text: String) {
        guard let (local, zone) = TimeText.split(text) else { return nil }
        self.local = local
        self.zone = zone
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The written year, month, day, hour, minute and second; `nil` when `local` is not a valid
    /// date-time (2026-02-31, 25:00).
    var wallClock: DateComponents? {
        // UTC has no gaps, so its fields are exactly the written ones.
        guard let date = TimeText.parse(local, in: TimeZone(identifier: "UTC")!) else { return nil }
        return Self.utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }
}
