import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilChat
import VigilConfig
import VigilCore
import VigilHTTP
import VigilJSON
import VigilServer
import VigilStore
import VigilTestSupport

/// A button press over real HTTP on loopback, on each platform that sends presses back: it runs
/// the command the button carries through the same desk as a typed one, updates the message that
/// carried the button, answers a refusal to the presser alone, and changes nothing when repeated.
@Suite struct ButtonEndToEndTests {
    // MARK: - Slack

    /// A `block_actions` press as Slack sends it: a form with one `payload` field.
    static func slackPress(_ command: String, by user: UserRef = Fixtures.ben, trigger: String, responseURL: String) -> [UInt8] {
        let payload: JSONValue = [
            "type": "block_actions", "user": ["id": .string(user.id), "username": .string(user.name), "team_id": "T1"],
            "api_app_id": "A1", "container": ["type": "message", "message_ts": "111.222"], "trigger_id": .string(trigger),
            "channel": ["id": "C1", "name": "ts-incidents"], "response_url": .string(responseURL),
            "actions": [["action_id": "vigil-ack", "block_id": "b", "value": .string(command), "type": "button", "action_ts": "1.2"]],
        ]
        return Array(FormBody(fields: [("payload", payload.serializedString())]).encoded().utf8)
    }

    static func pressSlack(
        _ command: String, by user: UserRef = Fixtures.ben, trigger: String, responseURL: String, vigil: TestVigil,
        client: any TestClientProtocol
    ) async throws -> TestResponse {
        let body = slackPress(command, by: user, trigger: trigger, responseURL: responseURL)
        return try await client.execute(
            uri: "/slack/interactions", method: .post, headers: vigil.slackHeaders(for: body), body: ByteBuffer(bytes: body))
    }

    @Test func anAckPressOnSlackAcknowledgesAndReplacesTheCarryingMessage() async throws {
        // setup
        let slack = try await LocalHTTPServer.start(responses: [.text("ok"), .text("ok"), .text("ok")])
        let vigil = try TestVigil(transport: CurlHTTPClient())
        defer { vigil.cleanUp() }
        let hook = slack.url(path: "/actions/T1/1/x")

        try await vigil.withLiveClient { client in
            let (_, opened) = try await vigil.slack("open sev2 fraud Refund abuse ring", client: client)
            let buttons = try JSONValue.parse(opened.raw)["blocks"]?.arrayValue?.first { $0["type"] == "actions" }
            #expect(buttons?["elements"]?.arrayValue?.first?["value"] == "ack INC-1")
            vigil.clock.advance(by: 120)

            // MUT
            let press = try await Self.pressSlack("ack INC-1", trigger: "press-1", responseURL: hook, vigil: vigil, client: client)
            let repeated = try await Self.pressSlack("ack INC-1", trigger: "press-1", responseURL: hook, vigil: vigil, client: client)
            let late = try await Self.pressSlack(
                "ack INC-1", by: Fixtures.ava, trigger: "press-2", responseURL: hook, vigil: vigil, client: client)

            // validate
            #expect(press.status == .ok && press.body.readableBytes == 0)
            #expect(repeated.status == .ok && late.status == .ok)
        }
        _ = try await vigil.app.delivery.deliverDue()
        let posts = try await slack.waitForRequests(count: 3)
        await slack.stop()
        let bodies = try posts.map { try JSONValue.parse($0.body) }
        let update = try #require(bodies.first { $0["replace_original"] == true })
        #expect(update["text"]?.stringValue?.contains("INC-1 acknowledged") == true)
        #expect(update["text"]?.stringValue?.contains("by @ben") == true)
        let labels = update["blocks"]?.arrayValue?.first { $0["type"] == "actions" }?["elements"]?.arrayValue?.compactMap {
            $0["text"]?["text"]?.stringValue
        }
        #expect(labels == ["Escalate", "Resolve"])
        let refusal = try #require(bodies.first { $0["replace_original"] == false })
        #expect(refusal["response_type"] == "ephemeral")
        #expect(refusal["text"]?.stringValue?.contains("already acknowledged by @ben") == true)
        // One ack, however many presses.
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened, .acknowledged])
        #expect(try await vigil.store.incident(1)?.acknowledgedBy?.id == Fixtures.ben.id)
    }

    @Test func aRestrictedIncidentsButtonFlowCarriesNoTitleAnywhere() async throws {
        // setup: Dee is cleared for restricted incidents.
        let title = "Fan report of exploitative DMs from account 99812"
        let slack = try await LocalHTTPServer.start(responses: [.text("ok")])
        let channel = try await LocalHTTPServer.start(responses: [.text("ok"), .text("ok"), .text("ok")])
        let vigil = try TestVigil(
            channels: [.incidents: .webhook(url: channel.url(path: "/hook"), format: .slack)], transport: CurlHTTPClient())
        defer { vigil.cleanUp() }

        try await vigil.withLiveClient { client in
            let (_, opened) = try await vigil.slack("open sev1 child-safety \(title)", as: Fixtures.dee, client: client)
            // The opener, cleared, may read the title privately; the buttons on that reply carry the ID only.
            let buttons = try JSONValue.parse(opened.raw)["blocks"]?.arrayValue?.filter { $0["type"] == "actions" } ?? []
            #expect(!buttons.isEmpty)
            #expect(!buttons.map { $0.serializedString() }.joined().contains("99812"))
            // MUT
            let press = try await Self.pressSlack(
                "ack INC-1", by: Fixtures.dee, trigger: "press-r", responseURL: slack.url(path: "/r"), vigil: vigil, client: client)
            #expect(press.status == .ok && press.body.readableBytes == 0)
        }
        _ = try await vigil.app.delivery.deliverDue()
        let update = try await slack.waitForRequests(count: 1)
        let posts = try await channel.waitForRequests(count: 2)
        await slack.stop()
        await channel.stop()

        // validate: the opener's private reply may show it; nothing from the press, nor any post, does.
        for body in update.map(\.body) + posts.map(\.body) {
            let text = String(decoding: body, as: UTF8.self)
            #expect(!text.contains("99812") && !text.contains("exploitative"), "\(text)")
            #expect(text.contains("INC-1"))
        }
        #expect(try JSONValue.parse(update[0].body)["replace_original"] == true)
        #expect(try await vigil.store.incident(1)?.state == .acknowledged)
    }

    // MARK: - Mattermost

    static func mattermostPress(_ command: String, mac: String? = nil, by user: UserRef = Fixtures.ben, trigger: String) -> String {
        let json: JSONValue = [
            "user_id": .string(user.id), "user_name": .string(user.name), "channel_id": "c1", "channel_name": "ts-incidents",
            "team_id": "t1", "team_domain": "ts", "post_id": "p1", "trigger_id": .string(trigger), "type": "", "data_source": "",
            "context": [
                "command": .string(command),
                "mac": .string(mac ?? MattermostActionMAC(token: TestVigil.mattermostToken).mac(command: command)),
            ],
        ]
        return json.serializedString()
    }

    static func pressMattermost(_ body: String, client: any TestClientProtocol) async throws -> TestResponse {
        try await client.execute(
            uri: "/mattermost/actions", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
    }

    @Test func anAckPressOnMattermostUpdatesThePostAndABadMACIs401() async throws {
        // setup: with public_url, Mattermost messages carry buttons.
        let vigil = try TestVigil(publicURL: "https://vigil.example.com")
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            _ = try await vigil.slack("open sev2 fraud Refund abuse ring", client: client)

            // MUT
            let forged = try await Self.pressMattermost(
                Self.mattermostPress(
                    "resolve INC-1 nothing to see", mac: MattermostActionMAC(token: "other").mac(command: "ack INC-1"), trigger: "t0"),
                client: client)
            let press = try await Self.pressMattermost(Self.mattermostPress("ack INC-1", trigger: "t1"), client: client)
            let repeated = try await Self.pressMattermost(Self.mattermostPress("ack INC-1", trigger: "t1"), client: client)
            let late = try await Self.pressMattermost(Self.mattermostPress("ack INC-1", by: Fixtures.ava, trigger: "t2"), client: client)

            // validate
            #expect(forged.status == .unauthorized)
            #expect(press.status == .ok)
            let update = try JSONValue.parse(String(buffer: press.body))["update"]
            #expect(update?["message"]?.stringValue?.contains("acknowledged") == true)
            let actions = update?["props"]?["attachments"]?.arrayValue?.first?["actions"]?.arrayValue ?? []
            #expect(actions.compactMap { $0["name"]?.stringValue } == ["Escalate", "Resolve"])
            #expect(String(buffer: repeated.body) == String(buffer: press.body))
            let refusal = try JSONValue.parse(String(buffer: late.body))
            #expect(refusal["ephemeral_text"]?.stringValue?.contains("already acknowledged") == true)
            #expect(refusal["update"] == nil)
        }
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened, .acknowledged])
    }

    // MARK: - Discord

    static func component(id: String, customID: String, user: String = "80351110224678912") -> String {
        let json: JSONValue = [
            "id": .string(id), "type": 3, "token": "tok-press", "application_id": .string(DiscordEndpointTests.applicationID),
            "channel_id": "42", "channel": ["id": "42", "name": "ts-incidents"],
            "member": ["user": ["id": .string(user), "username": "ben.ts", "global_name": "Ben"]],
            "message": ["id": "1111", "content": "INC-1 opened"],
            "data": ["custom_id": .string(customID), "component_type": 2],
        ]
        return json.serializedString()
    }

    static func modalSubmit(id: String, customID: String, text: String) -> String {
        let json: JSONValue = [
            "id": .string(id), "type": 5, "token": "tok-modal", "application_id": .string(DiscordEndpointTests.applicationID),
            "channel_id": "42", "member": ["user": ["id": "80351110224678912", "username": "ben.ts"]],
            "data": [
                "custom_id": .string(customID),
                "components": [["type": 1, "components": [["type": 4, "custom_id": "text", "value": .string(text)]]]],
            ],
        ]
        return json.serializedString()
    }

    @Test func anAckPressOnDiscordUpdatesTheMessageAndResolveAsksForItsText() async throws {
        // setup
        let vigil = try DiscordEndpointTests.vigil()
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            let open = DiscordEndpointTests.interaction(
                id: "9001", text: "open", [("severity", "sev2"), ("category", "fraud"), ("title", "Refund ring")])
            let opened = try JSONValue.parse(String(buffer: try await DiscordEndpointTests.post(open, client: client).body))
            let ids = opened["data"]?["components"]?.arrayValue?.flatMap { $0["components"]?.arrayValue ?? [] }.compactMap {
                $0["custom_id"]?.stringValue
            }
            #expect(ids?.contains("vigil:ack INC-1") == true)

            // MUT
            let press = try await DiscordEndpointTests.post(Self.component(id: "9002", customID: "vigil:ack INC-1"), client: client)
            let repeated = try await DiscordEndpointTests.post(Self.component(id: "9002", customID: "vigil:ack INC-1"), client: client)
            let late = try await DiscordEndpointTests.post(
                Self.component(id: "9003", customID: "vigil:ack INC-1", user: "80351110224678999"), client: client)
            let ask = try await DiscordEndpointTests.post(Self.component(id: "9004", customID: "vigil-ask:resolve INC-1"), client: client)
            let submit = try await DiscordEndpointTests.post(
                Self.modalSubmit(id: "9005", customID: "vigil:resolve INC-1", text: "Ring banned"), client: client)

            // validate
            let update = try JSONValue.parse(String(buffer: press.body))
            #expect(update["type"] == 7)
            #expect(update["data"]?["content"]?.stringValue?.contains("acknowledged") == true)
            #expect(String(buffer: repeated.body) == String(buffer: press.body))
            let refusal = try JSONValue.parse(String(buffer: late.body))
            #expect(refusal["type"] == 4)
            #expect(refusal["data"]?["flags"] == 64)
            #expect(refusal["data"]?["content"]?.stringValue?.contains("already acknowledged") == true)
            let modal = try JSONValue.parse(String(buffer: ask.body))
            #expect(modal["type"] == 9)
            #expect(modal["data"]?["custom_id"] == "vigil:resolve INC-1")
            let resolved = try JSONValue.parse(String(buffer: submit.body))
            #expect(resolved["type"] == 7)
            #expect(resolved["data"]?["content"]?.stringValue?.contains("resolved") == true)
        }
        let incident = try await vigil.store.incident(1)
        #expect(incident?.state == .resolved)
        #expect(incident?.resolution == "Ring banned")
        #expect(try await vigil.store.events(of: 1).map(\.kind) == [.opened, .acknowledged, .resolved])
    }
}
