import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import VigilConfig
import VigilCore
import VigilHTTP
import VigilJSON
import VigilServer
import VigilTestSupport

/// Reaching people, end to end over real HTTP on loopback: Vigil posts as a Slack app (threads,
/// redactions, 429s), pages by DM, PagerDuty, ntfy and email, and takes PagerDuty's
/// acknowledgements back through its signed webhook.
@Suite(.serialized) struct ReachEndToEndTests {
    static let webhookSecret = "pd-webhook-secret"
    static let ben = Fixtures.ben

    /// Ben is on call at level 1, reachable by Slack DM, ntfy and email.
    static let policy: Policy = {
        var policy = Fixtures.policy
        policy.escalationLevels = [
            EscalationLevel(name: "responders", notify: [.user(ben)]),
            EscalationLevel(name: "lead", notify: [.user(Fixtures.ava)], after: .seconds(3600)),
        ]
        policy.people = PeopleDirectory([
            Person(
                name: "ben", accounts: [Identity(platform: "slack", id: "U0BEN")],
                contacts: Contacts(ntfy: "ben-pager", email: "ben@example.com"))
        ])
        return policy
    }()

    struct Fakes {
        let slack: FakeSlackWebAPI
        let pagerDuty: FakePagerDuty
        let ntfy: FakeNtfy
        let smtp: SMTPSink

        static func start() async throws -> Fakes {
            Fakes(
                slack: try await FakeSlackWebAPI.start(), pagerDuty: try await FakePagerDuty.start(), ntfy: try await FakeNtfy.start(),
                smtp: try SMTPSink.start())
        }

        var reach: ReachSettings {
            ReachSettings(
                slack: SlackAPISettings(botToken: "xoxb-test-token", apiURL: slack.baseURL),
                pagerDuty: PagerDutySettings(
                    routingKeys: ["responders": "ROUTING-RESPONDERS"], eventsURL: pagerDuty.eventsURL, webhookSecret: webhookSecret),
                ntfy: NtfySettings(url: ntfy.baseURL), smtp: SMTPSettings(url: smtp.url, from: "vigil@example.com"))
        }

        func stop() async {
            await slack.stop()
            await pagerDuty.stop()
            await ntfy.stop()
            await smtp.stop()
        }
    }

    func vigil(_ fakes: Fakes, mail: (any MailTransport)? = RecordingMail()) throws -> TestVigil {
        try TestVigil(
            channels: [
                .incidents: .chatAPI(platform: "slack", channel: "C0INCIDENTS"), .oncall: .chatAPI(platform: "slack", channel: "C0ONCALL"),
            ],
            transport: CurlHTTPClient(), policy: Self.policy, reach: fakes.reach, mail: mail)
    }

    /// Delivers until nothing is due, stepping past Slack's one-post-a-second pace per channel.
    func deliverAll(_ vigil: TestVigil) async throws {
        for _ in 0..<20 {
            let pass = try await vigil.app.delivery.deliverDue()
            if pass == DeliveryPass() { return }
            if pass.rescheduled > 0 { vigil.clock.advance(by: 1.5) }
        }
    }

    @Test func aBreachPagesByDMPagerDutyNtfyAndEmailAndAnAckInPagerDutyAcknowledgesInVigil() async throws {
        let fakes = try await Fakes.start()
        let mail = RecordingMail()
        let vigil = try vigil(fakes, mail: mail)
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            let (status, _) = try await vigil.slack("open sev1 fraud Card testing on payouts", client: client)
            #expect(status == .ok)
        }
        try await deliverAll(vigil)
        // Posted as the app: the announcement's ts is kept.
        let announcement = try #require(fakes.slack.messages.first { $0.channel == "C0INCIDENTS" })
        #expect(try await vigil.store.posts(of: 1).map(\.postID).contains(announcement.ts))

        // sev1's ack target is 5 minutes: the breach fires and pages.
        vigil.clock.advance(by: 5 * 60 + 1)
        _ = try await vigil.app.scheduler.fireDue()
        try await deliverAll(vigil)

        // A DM to Ben, with the Ack button.
        let dm = try #require(fakes.slack.directChannels["U0BEN"])
        let dmPost = try #require(fakes.slack.messages.first { $0.channel == dm })
        #expect(dmPost.blocks.map { "\($0)" }?.contains("ack INC-1") == true)
        // PagerDuty, by the level's routing key, deduplicated on the incident's ID.
        let trigger = try #require(fakes.pagerDuty.events.first { $0["event_action"]?.stringValue == "trigger" })
        #expect(trigger["routing_key"]?.stringValue == "ROUTING-RESPONDERS")
        #expect(trigger["dedup_key"]?.stringValue == "INC-1")
        #expect(trigger["payload"]?["severity"]?.stringValue == "critical")
        // ntfy and email.
        #expect(fakes.ntfy.publications.map(\.topic) == ["ben-pager"])
        let sent = try #require(mail.all.first)
        #expect(sent.recipients == ["ben@example.com"])
        #expect(sent.url == fakes.smtp.url && sent.from == "vigil@example.com")
        #expect(String(decoding: sent.message, as: UTF8.self).contains("To: ben@example.com"))
        // Alerts about INC-1 in a channel thread under its announcement there.
        let oncallPosts = fakes.slack.messages.filter { $0.channel == "C0ONCALL" }
        #expect(oncallPosts.count >= 1)
        #expect(fakes.slack.messages.filter { $0.channel == "C0INCIDENTS" }.dropFirst().allSatisfy { $0.threadTS == announcement.ts })

        // Ben acknowledges in PagerDuty; its signed webhook acknowledges in Vigil.
        let body = Self.acknowledgement(id: "PDEVENT1", key: "INC-1")
        try await vigil.withClient { client in
            let forged = try await client.execute(
                uri: "/pagerduty/webhook", method: .post, headers: Self.headers(FakePagerDuty.signedWebhook(body: body, secret: "wrong")),
                body: ByteBuffer(bytes: body))
            #expect(forged.status == .unauthorized)
            #expect(try await vigil.store.incident(1)?.state == .open)

            let signed = Self.headers(FakePagerDuty.signedWebhook(body: body, secret: Self.webhookSecret))
            let response = try await client.execute(
                uri: "/pagerduty/webhook", method: .post, headers: signed, body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("acknowledged"))
            // PagerDuty retries a delivery it thinks failed: the same event changes nothing more.
            let again = try await client.execute(uri: "/pagerduty/webhook", method: .post, headers: signed, body: ByteBuffer(bytes: body))
            #expect(again.status == .ok)
        }
        let incident = try #require(try await vigil.store.incident(1))
        #expect(incident.state == .acknowledged)
        #expect(incident.acknowledgedBy?.storedID == "pagerduty:PBEN01")
        #expect(try await vigil.store.events(of: 1).filter { $0.kind == .acknowledged }.count == 1)
        // Acknowledged here, it is acknowledged in PagerDuty too.
        try await deliverAll(vigil)
        #expect(
            fakes.pagerDuty.events.contains { $0["event_action"]?.stringValue == "acknowledge" && $0["dedup_key"]?.stringValue == "INC-1" })
        await fakes.stop()
    }

    @Test func aSignedEventVigilDoesNotActOnIsAnsweredAndChangesNothing() async throws {
        let fakes = try await Fakes.start()
        let vigil = try vigil(fakes)
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev2 fraud Refund abuse", client: client)
            for body in [
                Self.acknowledgement(id: "E2", key: "OTHER-1"), Self.acknowledgement(id: "E3", key: "INC-1", type: "incident.resolved"),
            ] {
                let response = try await client.execute(
                    uri: "/pagerduty/webhook", method: .post,
                    headers: Self.headers(FakePagerDuty.signedWebhook(body: body, secret: Self.webhookSecret)),
                    body: ByteBuffer(bytes: body))
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("ignored"))
            }
            let malformed = Array("{\"event\":".utf8)
            let bad = try await client.execute(
                uri: "/pagerduty/webhook", method: .post,
                headers: Self.headers(FakePagerDuty.signedWebhook(body: malformed, secret: Self.webhookSecret)),
                body: ByteBuffer(bytes: malformed))
            #expect(bad.status == .badRequest)
        }
        #expect(try await vigil.store.incident(1)?.state == .open)
        await fakes.stop()
    }

    @Test func reclassifyingIntoARestrictedTypeEditsEveryEarlierPostDown() async throws {
        let fakes = try await Fakes.start()
        let vigil = try vigil(fakes)
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev2 moderation Messages to a creator from a fan", client: client)
            _ = try await vigil.slack("sev 1 sev1", client: client)
        }
        try await deliverAll(vigil)
        let before = fakes.slack.messages.filter { $0.channel == "C0INCIDENTS" }
        #expect(before.count == 2)
        // The follow-up threads under the announcement.
        #expect(before[1].threadTS == before[0].ts)
        #expect(before.allSatisfy { "\($0.text ?? "") \($0.blocks.map { "\($0)" } ?? "")".contains("from a fan") })

        try await vigil.withClient { client in
            _ = try await vigil.slack("type 1 child-safety", as: Fixtures.dee, client: client)
        }
        try await deliverAll(vigil)
        #expect(fakes.slack.calls("chat.update").count == 2)
        for post in before {
            let edited = try #require(fakes.slack.message(channel: post.channel, ts: post.ts))
            #expect(edited.edits == 1)
            let shown = "\(edited.text ?? "") \(edited.blocks.map { "\($0)" } ?? "")"
            #expect(!shown.contains("from a fan"))
            #expect(shown.contains("INC-1"))
        }
        // And nothing Vigil sent after it names the title either.
        let after = fakes.slack.calls.dropFirst(before.count).map { "\($0.body)" }
        #expect(!after.contains { $0.contains("from a fan") })
        await fakes.stop()
    }

    @Test func aWebAPI429ReschedulesThePostForItsRetryAfter() async throws {
        let fakes = try await Fakes.start()
        fakes.slack.script("chat.postMessage", .rateLimited(retryAfter: 7))
        let vigil = try vigil(fakes)
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev3 fraud Coupon stacking", client: client)
        }
        let first = try await vigil.app.delivery.deliverDue()
        #expect(first.rescheduled == 1 && first.delivered == 0)
        #expect(try await vigil.app.delivery.deliverDue() == DeliveryPass())
        vigil.clock.advance(by: 8)
        #expect(try await vigil.app.delivery.deliverDue().delivered == 1)
        #expect(fakes.slack.messages.count == 1)
        await fakes.stop()
    }

    @Test func onMattermostAnEscalationPagesByDMAndARestrictedMoveEditsItsPosts() async throws {
        let mattermost = try await FakeMattermostAPI.start()
        var policy = Self.policy
        policy.people = PeopleDirectory([
            Person(name: "ben", accounts: [Identity(platform: "mattermost", id: "benmm00000000000000000000a")])
        ])
        policy.escalationLevels[1].notify = [.user(UserRef(id: "benmm00000000000000000000a", name: "ben", platform: "mattermost"))]
        let vigil = try TestVigil(
            channels: [.incidents: .chatAPI(platform: "mattermost", channel: "incidentschannel000000000a")], transport: CurlHTTPClient(),
            policy: policy, reach: ReachSettings(mattermost: MattermostAPISettings(botToken: "mm-bot-token", url: mattermost.serverURL)))
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev2 moderation Threats sent to a creator by a fan", client: client)
            _ = try await vigil.slack("escalate 1", client: client)
        }
        try await deliverAll(vigil)
        // The escalation names Ben and pages him in a direct channel with the bot.
        let direct = try #require(mattermost.calls(.directChannel).first)
        #expect("\(direct.body)".contains("benmm00000000000000000000a"))
        let channelPosts = mattermost.posts.filter { $0.channelID == "incidentschannel000000000a" }
        #expect(channelPosts.count == 2)
        #expect(channelPosts[1].rootID == channelPosts[0].id)
        #expect(mattermost.posts.count == 3)

        try await vigil.withClient { client in
            _ = try await vigil.slack("type 1 child-safety", as: Fixtures.dee, client: client)
        }
        try await deliverAll(vigil)
        // Every earlier post, the DM included, is edited down.
        for post in mattermost.posts.prefix(3) {
            let edited = try #require(mattermost.post(post.id))
            #expect(edited.edits == 1)
            #expect(!edited.message.contains("by a fan"))
        }
        await mattermost.stop()
    }

    // MARK: - Helpers

    static func acknowledgement(id: String, key: String, type: String = "incident.acknowledged") -> [UInt8] {
        Array(
            """
            {"event":{"id":"\(id)","event_type":"\(type)","resource_type":"incident","occurred_at":"2026-11-28T21:46:00Z",
             "agent":{"id":"PBEN01","type":"user_reference","summary":"Ben"},
             "data":{"id":"Q1","type":"incident","incident_key":"\(key)","status":"acknowledged","title":"INC-1"}}}
            """.utf8)
    }

    static func headers(_ list: [VigilHTTP.HTTPHeader]) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        for header in list { fields[HTTPField.Name(header.name)!] = header.value }
        return fields
    }
}

/// Records the mail it is asked to send.
final class RecordingMail: MailTransport {
    private let sent = Mutex<[MailDelivery]>([])
    func send(_ mail: MailDelivery) async throws { sent.withLock { $0.append(mail) } }
    var all: [MailDelivery] { sent.withLock { $0 } }
}
