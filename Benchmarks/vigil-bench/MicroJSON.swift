import Foundation
import VigilChat
import VigilCore
import VigilJSON

/// json-c (`VigilJSON`) against `JSONSerialization` and `JSONDecoder`/`JSONEncoder`, parsing and
/// serializing the same payloads: Vigil's replies and webhook posts as the renderers write them,
/// and the platforms' documented interaction payloads.
struct JSONCases {
    let fixtures: MicroFixtures

    /// One payload, and the Codable type that reads all of it.
    struct Payload {
        var name: String
        var text: [UInt8]
        var kind: Kind

        enum Kind { case slackMessage, mattermostMessage, slackBlockActions, mattermostButton }
    }

    func run(_ timer: MicroTimer) throws -> JSONFigures {
        let incident = try RenderedIncident(fixtures)
        let slack = SlackRenderer()
        let mattermost = MattermostRenderer()
        func rendered(_ value: JSONValue) -> [UInt8] { value.serialized() }
        let payloads = [
            Payload(
                name: "Slack reply to `open` (in channel, with the playbook's first step)",
                text: rendered(slack.replyBody(incident.openReply)), kind: .slackMessage),
            Payload(
                name: "Slack reply to `status INC-42` (clocks, details, timeline)",
                text: rendered(slack.replyBody(incident.statusReply)), kind: .slackMessage),
            Payload(name: "Slack reply to `help`", text: rendered(slack.replyBody(incident.helpReply)), kind: .slackMessage),
            Payload(
                name: "Slack incoming-webhook post: the `opened` announcement",
                text: rendered(slack.webhookBody(incident.openAnnouncement)), kind: .slackMessage),
            Payload(
                name: "Mattermost reply to `status INC-42`",
                text: rendered(mattermost.replyBody(incident.statusReply)), kind: .mattermostMessage),
            Payload(
                name: "Mattermost incoming-webhook post: the `opened` announcement",
                text: rendered(mattermost.webhookBody(incident.openAnnouncement)), kind: .mattermostMessage),
            Payload(
                name: "Slack Block Kit message with a button (protocols.md §1)",
                text: Array(MicroPayloads.slackBlockKitMessage.utf8), kind: .slackMessage),
            Payload(
                name: "Slack `block_actions` interaction (protocols.md §1)",
                text: Array(MicroPayloads.slackBlockActions.utf8), kind: .slackBlockActions),
            Payload(
                name: "Mattermost button click, `PostActionIntegrationRequest` (protocols.md §2)",
                text: Array(MicroPayloads.mattermostButtonClick.utf8), kind: .mattermostButton),
        ]
        var figures = JSONFigures()
        for payload in payloads {
            progress("json: \(payload.name), \(payload.text.count) B")
            switch payload.kind {
            case .slackMessage: figures.payloads.append(try measure(payload, as: SlackMessageBody.self, timer))
            case .mattermostMessage: figures.payloads.append(try measure(payload, as: MattermostMessageBody.self, timer))
            case .slackBlockActions: figures.payloads.append(try measure(payload, as: SlackBlockActions.self, timer))
            case .mattermostButton: figures.payloads.append(try measure(payload, as: MattermostButtonClick.self, timer))
            }
        }
        // What answering a command costs after the store: render the reply and serialize it.
        let status = incident.statusReply
        let slackBytes = slack.replyBody(status).serialized().count
        figures.render.append(
            timer.time("Slack: `SlackRenderer.replyBody` + `serialized()`, `status INC-42`", section: "json", bytes: slackBytes) {
                blackhole(slack.replyBody(status).serialized())
            })
        let mattermostBytes = mattermost.replyBody(status).serialized().count
        figures.render.append(
            timer.time(
                "Mattermost: `MattermostRenderer.replyBody` + `serialized()`, `status INC-42`", section: "json", bytes: mattermostBytes
            ) {
                blackhole(mattermost.replyBody(status).serialized())
            })
        return figures
    }

    private func measure<T: Codable>(_ payload: Payload, as type: T.Type, _ timer: MicroTimer) throws -> PayloadFigures {
        let bytes = payload.text
        let data = Data(bytes)
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()

        // Each codec must read the whole document and write it back equal (up to member order).
        let value = try JSONValue.parse(bytes)
        let object = try JSONSerialization.jsonObject(with: data)
        let decoded = try decoder.decode(T.self, from: data)
        let reference = Self.sortedMembers(value)
        guard Self.sortedMembers(try JSONValue.parse(value.serialized())) == reference,
            Self.sortedMembers(try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: object)))) == reference,
            Self.sortedMembers(try JSONValue.parse(Array(try encoder.encode(decoded)))) == reference
        else { throw BenchmarkError("a codec does not round-trip \(payload.name)") }
        let sizes = [value.serialized().count, try JSONSerialization.data(withJSONObject: object).count, try encoder.encode(decoded).count]

        let section = "json"
        var figures = PayloadFigures(name: payload.name, bytes: bytes.count)
        figures.parse = [
            timer.time("json-c parse: \(payload.name)", section: section, bytes: bytes.count) {
                attempt { blackhole(try JSONValue.parse(bytes)) }
            },
            timer.time("JSONSerialization parse: \(payload.name)", section: section, bytes: bytes.count) {
                attempt { blackhole(try JSONSerialization.jsonObject(with: data)) }
            },
            timer.time("JSONDecoder parse: \(payload.name)", section: section, bytes: bytes.count) {
                attempt { blackhole(try decoder.decode(T.self, from: data)) }
            },
        ]
        figures.serialize = [
            timer.time("json-c serialize: \(payload.name)", section: section, bytes: sizes[0]) {
                blackhole(value.serialized())
            },
            timer.time("JSONSerialization serialize: \(payload.name)", section: section, bytes: sizes[1]) {
                attempt { blackhole(try JSONSerialization.data(withJSONObject: object)) }
            },
            timer.time("JSONEncoder serialize: \(payload.name)", section: section, bytes: sizes[2]) {
                attempt { blackhole(try encoder.encode(decoded)) }
            },
        ]
        return figures
    }

    /// The value with every object's members sorted by name, to compare codecs that reorder them.
    static func sortedMembers(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .array(elements): .array(elements.map(sortedMembers))
        case let .object(members): .object(members.map { ($0.0, sortedMembers($0.1)) }.sorted { $0.0 < $1.0 })
        default: value
        }
    }
}

// MARK: - Codable mirrors of the payloads

/// A Slack message body: a slash-command reply, a webhook post or a Block Kit message.
struct SlackMessageBody: Codable {
    var responseType: String?
    var text: String
    var blocks: [SlackBlock]

    enum CodingKeys: String, CodingKey {
        case responseType = "response_type", text, blocks
    }
}

struct SlackBlock: Codable {
    var type: String
    var text: SlackText?
    var blockID: String?
    var elements: [SlackElement]?

    enum CodingKeys: String, CodingKey {
        case type, text, blockID = "block_id", elements
    }
}

struct SlackText: Codable {
    var type: String
    var text: String
}

struct SlackElement: Codable {
    var type: String
    var actionID: String
    var text: SlackText
    var style: String?
    var value: String?

    enum CodingKeys: String, CodingKey {
        case type, actionID = "action_id", text, style, value
    }
}

/// A Mattermost reply or webhook post as Vigil writes it.
struct MattermostMessageBody: Codable {
    var responseType: String?
    var text: String

    enum CodingKeys: String, CodingKey {
        case responseType = "response_type", text
    }
}

struct SlackBlockActions: Codable {
    struct User: Codable {
        var id: String
        var teamID: String
        enum CodingKeys: String, CodingKey { case id, teamID = "team_id" }
    }

    struct Container: Codable {
        var type: String
        var messageTS: String
        enum CodingKeys: String, CodingKey { case type, messageTS = "message_ts" }
    }

    struct Channel: Codable { var id: String }

    struct Action: Codable {
        var actionID: String
        var blockID: String
        var value: String
        var type: String
        var actionTS: String
        enum CodingKeys: String, CodingKey { case actionID = "action_id", blockID = "block_id", value, type, actionTS = "action_ts" }
    }

    var type: String
    var user: User
    var apiAppID: String
    var container: Container
    var triggerID: String
    var channel: Channel
    var responseURL: String
    var actions: [Action]

    enum CodingKeys: String, CodingKey {
        case type, user, apiAppID = "api_app_id", container, triggerID = "trigger_id", channel,
            responseURL = "response_url", actions
    }
}

struct MattermostButtonClick: Codable {
    var userID: String
    var userName: String
    var channelID: String
    var channelName: String
    var teamID: String
    var teamDomain: String
    var postID: String
    var triggerID: String
    var type: String
    var dataSource: String
    var context: [String: String]

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", userName = "user_name", channelID = "channel_id", channelName = "channel_name",
            teamID = "team_id", teamDomain = "team_domain", postID = "post_id", triggerID = "trigger_id", type,
            dataSource = "data_source", context
    }
}
