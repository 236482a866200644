import Foundation
import VigilCore
import Yams

/// `incident_channels:`: which incidents get a channel of their own.
///
/// ```yaml
/// incident_channels:
///   - {when: {restricted: true}, visibility: private}
///   - {when: {severity: [sev1]}, visibility: public, archive_after: 3d}
///   - {when: {type: tco}, visibility: private, platform: mattermost}
/// ```
///
/// Each rule needs a platform Vigil can make channels on: Slack with `slack.bot_token`, or
/// Mattermost with `mattermost.bot_token`, `url` and `team_id`.
extension ConfigurationDecoder {
    static let roomRuleKeys = ["when", "visibility", "platform", "archive_after"]
    static let roomConditionKeys = ["severity", "category", "type", "restricted"]

    func rooms(_ node: Node?, policy: Policy, reach: ReachSettings) -> RoomPolicy {
        guard let node, let items = reader.sequence(node, at: "incident_channels") else { return RoomPolicy() }
        let platforms = reach.roomPlatforms
        var rooms = RoomPolicy(defaultPlatform: platforms.first)
        for (index, item) in items.enumerated() {
            let path = "incident_channels[\(index)]"
            guard let fields = reader.fields(of: item, at: path, known: Self.roomRuleKeys) else { continue }
            guard let whenNode = fields["when"] else {
                reader.error("\(path) needs when: the incidents it gives a channel, like {severity: sev1} or {restricted: true}", at: item)
                continue
            }
            guard let visibilityNode = fields["visibility"] else {
                reader.error("\(path) needs visibility: public or private", at: item)
                continue
            }
            guard let condition = roomCondition(whenNode, at: "\(path).when", policy: policy),
                let visibility = reader.oneOf(visibilityNode, at: "\(path).visibility", RoomVisibility.self)
            else { continue }
            var rule = RoomRule(when: condition, visibility: visibility)
            if let value = fields["archive_after"], let delay = reader.duration(value, at: "\(path).archive_after") {
                rule.archiveAfter = delay
            }
            if let platformNode = fields["platform"], let platform = reader.string(platformNode, at: "\(path).platform") {
                guard platforms.contains(platform) else {
                    reader.error(Self.roomPlatformProblem(platform, at: "\(path).platform"), at: platformNode)
                    continue
                }
                rule.platform = platform
            } else if platforms.isEmpty {
                reader.error(
                    "incident_channels needs a platform Vigil can make channels on: slack.bot_token, or mattermost.bot_token, url and team_id",
                    at: item)
                continue
            }
            rooms.rules.append(rule)
        }
        return rooms
    }

    private func roomCondition(_ node: Node, at path: String, policy: Policy) -> RoomRule.Condition? {
        guard let fields = reader.fields(of: node, at: path, known: Self.roomConditionKeys) else { return nil }
        var condition = RoomRule.Condition()
        var valid = true
        if let value = fields["severity"] {
            condition.severities = words(value, at: "\(path).severity")
            valid =
                known(condition.severities, at: "\(path).severity", noun: "severity", in: policy.severities.map(\.name), node: value)
                && valid
        }
        if let value = fields["category"] {
            condition.categories = words(value, at: "\(path).category")
            valid =
                known(condition.categories, at: "\(path).category", noun: "category", in: policy.categories.map(\.name), node: value)
                && valid
        }
        // Types come from playbooks, which are read after the config; `vigil check` names a
        // type no playbook declares.
        if let value = fields["type"] { condition.types = words(value, at: "\(path).type").map { $0.lowercased() } }
        if let value = fields["restricted"] { condition.restricted = reader.bool(value, at: "\(path).restricted") }
        if condition.severities.isEmpty, condition.categories.isEmpty, condition.types.isEmpty, condition.restricted == nil, valid {
            reader.error("\(path) is empty: name a severity, category, type or restricted: true", at: node)
            valid = false
        }
        return valid ? condition : nil
    }

    /// Whether every one of `names` is in `known` (case-insensitive); each one that is not is reported.
    private func known(_ names: [String], at path: String, noun: String, in known: [String], node: Node) -> Bool {
        let lowered = Set(known.map { $0.lowercased() })
        var valid = true
        for name in names where !lowered.contains(name.lowercased()) {
            reader.error("\(path) names \"\(name)\", which is not a \(noun) (\(known.joined(separator: ", ")))", at: node)
            valid = false
        }
        return valid
    }

    /// One word or a list of words.
    private func words(_ node: Node, at path: String) -> [String] {
        if case .sequence = node { return reader.strings(node, at: path)?.map(\.text) ?? [] }
        return reader.string(node, at: path).map { [$0] } ?? []
    }

    static func roomPlatformProblem(_ platform: String, at path: String) -> String {
        switch platform {
        case "slack": "\(path) is slack, which needs slack.bot_token to make channels"
        case "mattermost": "\(path) is mattermost, which needs mattermost.bot_token, url and team_id to make channels"
        default: "\(path) must be slack or mattermost (Vigil makes channels there), found \"\(platform)\""
        }
    }
}
