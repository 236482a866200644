import Foundation
import VigilCore
import Yams

/// `escalation:` and `escalation_repeats:`:
///
/// ```yaml
/// escalation:
///   - {name: responders, notify: [ts-primary]}
///   - {name: lead, notify: ["<@U0LEAD>"], after: 15m}
/// escalation_repeats: 3
/// ```
extension ConfigurationDecoder {
    /// The levels, and whether the top one has an `after` (`escalation_repeats` repeats on it).
    struct EscalationDecoding {
        var levels: [EscalationLevel]
        var topHasAfter: Bool
    }

    static let levelKeys = ["name", "notify", "after"]

    /// ``VigilCore/Policy/defaultLevels`` when `escalation:` is absent; `nil` when it has no
    /// usable level (reported).
    func escalation(_ node: Node?, schedules: [String]) -> EscalationDecoding? {
        guard let node else { return EscalationDecoding(levels: Policy.defaultLevels, topHasAfter: false) }
        let entries = namedEntries(node, at: "escalation", kind: "escalation level", known: Self.levelKeys, singleWord: false)
        guard let top = entries.last else { return nil }
        let levels = entries.map { entry in
            let path = "escalation[\(entry.index)]"
            let notify = entry.fields["notify"].map { notifyTargets($0, at: "\(path).notify", schedules: schedules) } ?? []
            var after: Duration?
            if let value = entry.fields["after"] {
                if entry.index == 0 {
                    let reason = "the first level is where every incident starts (give after on the levels above it)"
                    reader.error("\(path).after is not allowed: \(reason)", at: value)
                } else {
                    after = reader.duration(value, at: "\(path).after")
                }
            }
            return EscalationLevel(name: entry.name, notify: notify, after: after)
        }
        return EscalationDecoding(levels: levels, topHasAfter: top.fields["after"] != nil)
    }

    /// Mentions are users; any other word names an on-call schedule from `schedules`.
    private func notifyTargets(_ node: Node, at path: String, schedules: [String]) -> [NotifyTarget] {
        guard let items = reader.sequence(node, at: path) else { return [] }
        var targets: [NotifyTarget] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let raw = reader.string(item, at: itemPath) else { continue }
            let text = raw.trimmingCharacters(in: .whitespaces)
            let target: NotifyTarget
            if text.hasPrefix("@") || text.hasPrefix("<@") {
                guard let user = reader.user(raw, at: item, in: itemPath) else { continue }
                target = .user(user)
            } else if let name = schedules.first(where: { $0.lowercased() == text.lowercased() }) {
                target = .schedule(name)
            } else {
                let close = YAMLReader.suggestion(for: text, in: schedules)
                let hint = close.isEmpty ? " (define it under oncall:, or write a user as <@U123>, <@U123|name> or \"@name\")" : close
                reader.error("unknown on-call schedule \"\(text)\" in \(itemPath)\(hint)", at: item)
                continue
            }
            if targets.contains(where: { Self.sameTarget($0, target) }) {
                reader.error("\"\(text)\" is listed twice in \(path)", at: item)
                continue
            }
            targets.append(target)
        }
        return targets
    }

    private static func sameTarget(_ a: NotifyTarget, _ b: NotifyTarget) -> Bool {
        switch (a, b) {
        case let (.user(x), .user(y)): x.isSameRosterEntry(as: y)
        case let (.schedule(x), .schedule(y)): x == y
        default: false
        }
    }

    /// How many times the top level is re-notified, every `after` of that level.
    func escalationRepeats(_ node: Node, escalation: EscalationDecoding?) -> Int? {
        guard let repeats = reader.int(node, at: "escalation_repeats", in: 0...100) else { return nil }
        if repeats > 0, let escalation, !escalation.topHasAfter, let top = escalation.levels.last {
            let reason = "it is how often the top level is re-notified"
            reader.error("escalation_repeats needs an after on the last escalation level (\(top.name)): \(reason)", at: node)
            return nil
        }
        return repeats
    }
}
