import Foundation
import Testing
import VigilChat
import VigilCore
import VigilHTTP
import VigilServer
import VigilTestSupport

/// The chat API sender over real HTTP on 127.0.0.1 (``CurlHTTPClient`` against the fake Slack and
/// Mattermost APIs), with the wall clock moved by hand so pacing never depends on timing.
@Suite struct ChatAPISenderTests {
    static let token = "xoxb-test-token"
    let clock = ManualWallClock(Fixtures.t0)

    func sender(pacing: Duration = .seconds(1), transport: any HTTPTransport = CurlHTTPClient()) -> ChatAPISender {
        let clock = clock
        return ChatAPISender(transport: transport, now: { clock.now }, pacingInterval: pacing)
    }

    static func message(_ text: String, buttons: Bool = false) -> Message {
        Message(
            lines: [[.bold("INC-42"), .text(" " + text)]],
            actions: buttons ? [MessageAction(name: "ack", label: "Ack", command: "ack INC-42", style: .primary)] : [])
    }

    /// Runs `body` with a started fake Slack and stops it afterwards, also when `body` throws.
    func withSlack(_ body: (FakeSlackWebAPI, SlackWebAPI) async throws -> Void) async throws {
        let slack = try await FakeSlackWebAPI.start(token: Self.token)
        do {
            try await body(slack, SlackWebAPI(token: Self.token, baseURL: slack.baseURL))
            await slack.stop()
        } catch {
            await slack.stop()
            throw error
        }
    }

    /// Runs `body` with a started fake Mattermost and stops it afterwards, also when `body` throws.
    func withMattermost(token: String? = nil, _ body: (FakeMattermostAPI, MattermostAPI) async throws -> Void) async throws {
        let mattermost = try await FakeMattermostAPI.start(token: token)
        do {
            try await body(mattermost, MattermostAPI(serverURL: mattermost.serverURL, token: "mm-bot-token"))
            await mattermost.stop()
        } catch {
            await mattermost.stop()
            throw error
        }
    }

    // MARK: - Slack

    @Test func postThenUpdateReplacesTheMessage() async throws {
        try await withSlack { slack, api in
            let sender = sender()
            // MUT
            let posted = await sender.send(
                api.postMessage(channel: "C0INCIDENTS", message: Self.message("opened · Card testing", buttons: true)))
            clock.advance(by: 60)
            let redaction = Self.message("opened · restricted")
            let updated = await sender.send(api.updateMessage(channel: "C0INCIDENTS", ts: "1733200000.000100", message: redaction))
            // validate
            #expect(posted == .ok(ChatAPIFields(messageID: "1733200000.000100", channelID: "C0INCIDENTS")))
            #expect(updated == .ok(ChatAPIFields(messageID: "1733200000.000100", channelID: "C0INCIDENTS")))
            let message = try #require(slack.message(channel: "C0INCIDENTS", ts: "1733200000.000100"))
            #expect(message.text == "INC-42 opened · restricted")
            #expect(message.edits == 1)
            // The Ack button's block is gone with the rest.
            #expect(message.blocks?.arrayValue?.map { $0["type"]?.stringValue } == ["section"])
            #expect(slack.calls.map(\.authorization) == ["Bearer \(Self.token)", "Bearer \(Self.token)"])
            #expect(slack.calls.first?.body["unfurl_links"] == false)
        }
    }

    @Test func followUpsThreadUnderTheAnnouncement() async throws {
        try await withSlack { slack, api in
            let sender = sender()
            guard case let .ok(announcement) = await sender.send(api.postMessage(channel: "C0INCIDENTS", message: Self.message("opened"))),
                let ts = announcement.messageID
            else {
                Issue.record("the announcement was not posted")
                return
            }
            clock.advance(by: 1)
            let reply = await sender.send(api.postMessage(channel: "C0INCIDENTS", message: Self.message("acknowledged"), threadTS: ts))
            #expect(reply == .ok(ChatAPIFields(messageID: "1733200000.000200", channelID: "C0INCIDENTS")))
            #expect(slack.messages.map(\.threadTS) == [nil, "1733200000.000100"])
        }
    }

    @Test func a429IsReportedWithItsRetryAfterAndHoldsTheChannel() async throws {
        try await withSlack { slack, api in
            let sender = sender()
            slack.script("chat.postMessage", .rateLimited(retryAfter: 7))
            let request = api.postMessage(channel: "C0INCIDENTS", message: Self.message("opened"))
            #expect(await sender.send(request) == .rateLimited(retryAfter: .seconds(7)))
            // Asking again early is answered here, without bothering Slack.
            clock.advance(by: 3)
            #expect(await sender.send(request) == .rateLimited(retryAfter: .seconds(4)))
            #expect(slack.calls.count == 1)
            clock.advance(by: 4)
            #expect(await sender.send(request) == .ok(ChatAPIFields(messageID: "1733200000.000100", channelID: "C0INCIDENTS")))
            #expect(slack.calls.count == 2)
        }
    }

    @Test func postsArePacedPerChannel() async throws {
        try await withSlack { slack, api in
            let sender = sender()
            let first = await sender.send(api.postMessage(channel: "C1", message: Self.message("one")))
            #expect(first == .ok(ChatAPIFields(messageID: "1733200000.000100", channelID: "C1")))
            // The same channel within a second: not sent.
            clock.advance(by: 0.25)
            #expect(
                await sender.send(api.postMessage(channel: "C1", message: Self.message("two")))
                    == .rateLimited(retryAfter: .milliseconds(750)))
            // Another channel is not held back, nor are calls that are not posts.
            #expect(
                await sender.send(api.postMessage(channel: "C2", message: Self.message("three")))
                    == .ok(ChatAPIFields(messageID: "1733200000.000200", channelID: "C2")))
            #expect(await sender.send(api.pin(channel: "C1", ts: "1733200000.000100")) == .ok(ChatAPIFields()))
            clock.advance(by: 0.75)
            #expect(
                await sender.send(api.postMessage(channel: "C1", message: Self.message("two")))
                    == .ok(ChatAPIFields(messageID: "1733200000.000300", channelID: "C1")))
            #expect(slack.messages.map(\.channel) == ["C1", "C2", "C1"])
        }
    }

    @Test func thePacingIntervalIsConfigurable() async throws {
        try await withSlack { _, api in
            let sender = sender(pacing: .seconds(3))
            let post = api.postMessage(channel: "C1", message: Self.message("one"))
            #expect(await sender.send(post) == .ok(ChatAPIFields(messageID: "1733200000.000100", channelID: "C1")))
            clock.advance(by: 1)
            #expect(await sender.send(post) == .rateLimited(retryAfter: .seconds(2)))
        }
    }

    @Test func channelNotFoundIsFinal() async throws {
        try await withSlack { slack, api in
            slack.script("chat.postMessage", .error("channel_not_found"))
            let result = await sender().send(api.postMessage(channel: "C0GONE", message: Self.message("opened")))
            #expect(
                result == .failed(ChatAPIFailure(code: "channel_not_found", retryable: false, summary: "slack error channel_not_found")))
        }
    }

    @Test func aWrongTokenIsFinalAndNotPrinted() async throws {
        try await withSlack { slack, _ in
            let api = SlackWebAPI(token: "xoxb-wrong-token", baseURL: slack.baseURL)
            guard case let .failed(failure) = await sender().send(api.archive(channel: "C1")) else {
                Issue.record("expected a failure")
                return
            }
            #expect(failure.code == "invalid_auth")
            #expect(!failure.retryable)
            #expect(!failure.summary.contains("wrong-token"))
        }
    }

    @Test func anIncidentRoom() async throws {
        try await withSlack { slack, api in
            let sender = sender()
            let name = SlackWebAPI.channelName(from: "INC-42 Card testing spike")
            guard case let .ok(created) = try await sender.send(api.createChannel(name: name, isPrivate: true)),
                let room = created.channelID
            else {
                Issue.record("the room was not created")
                return
            }
            #expect(try await sender.send(api.createChannel(name: name, isPrivate: true)) == .nameTaken)
            #expect(try await sender.send(api.invite(channel: room, users: ["U0AVA", "U0BEN"])) == .ok(ChatAPIFields(channelID: room)))
            #expect(try await sender.send(api.invite(channel: room, users: ["U0AVA"])) == .ok(ChatAPIFields(alreadyDone: true)))
            guard case let .ok(post) = await sender.send(api.postMessage(channel: room, message: Self.message("room"))),
                let ts = post.messageID
            else {
                Issue.record("the room's first post failed")
                return
            }
            #expect(await sender.send(api.pin(channel: room, ts: ts)) == .ok(ChatAPIFields()))
            #expect(await sender.send(api.pin(channel: room, ts: ts)) == .ok(ChatAPIFields(alreadyDone: true)))
            #expect(await sender.send(api.setTopic(channel: room, topic: "INC-42 · SEV1")) == .ok(ChatAPIFields(channelID: room)))
            #expect(await sender.send(api.archive(channel: room)) == .ok(ChatAPIFields()))
            #expect(await sender.send(api.archive(channel: room)) == .ok(ChatAPIFields(alreadyDone: true)))
            guard case let .ok(dm) = try await sender.send(api.openDirectChannel(users: ["U0AVA"])) else {
                Issue.record("the DM was not opened")
                return
            }
            #expect(slack.createdChannels == [FakeSlackWebAPI.CreatedChannel(id: room, name: "inc-42-card-testing-spike", isPrivate: true)])
            #expect(slack.invites == [room: ["U0AVA", "U0BEN"]])
            #expect(slack.pins == ["\(room)/\(ts)"])
            #expect(slack.archived == [room])
            #expect(slack.topics == [room: "INC-42 · SEV1"])
            #expect(slack.directChannels == ["U0AVA": try #require(dm.channelID)])
        }
    }

    @Test func aTransportFailureIsRetryable() async {
        let sender = sender(transport: FailingTransport())
        let result = await sender.send(SlackWebAPI(token: Self.token).archive(channel: "C1"))
        guard case let .failed(failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == "transport")
        #expect(failure.retryable)
        #expect(!failure.summary.contains(Self.token))
    }

    // MARK: - Mattermost

    @Test func mattermostPostPatchAndDirectChannel() async throws {
        try await withMattermost(token: "mm-bot-token") { mattermost, api in
            let sender = sender()

            #expect(await sender.send(api.currentUser()) == .ok(ChatAPIFields(userID: FakeMattermostAPI.botUserID)))
            let opened = await sender.send(
                api.openDirectChannel(botUserID: FakeMattermostAPI.botUserID, userID: "erj6qck3rfgtujs86w5r6rckzh"))
            guard case let .ok(direct) = opened, let dm = direct.channelID else {
                Issue.record("the direct channel was not opened: \(opened)")
                return
            }
            #expect(mattermost.channel(dm)?.type == "D")
            // The same pair gives the same channel.
            #expect(
                await sender.send(api.openDirectChannel(botUserID: FakeMattermostAPI.botUserID, userID: "erj6qck3rfgtujs86w5r6rckzh"))
                    == opened)

            let posted = await sender.send(api.createPost(channelID: dm, message: Self.message("opened @channel")))
            guard case let .ok(post) = posted, let postID = post.messageID else {
                Issue.record("the post failed: \(posted)")
                return
            }
            #expect(post.channelID == dm)
            #expect(mattermost.post(postID)?.message == "**INC-42** opened @\u{200D}channel")
            // Posts to one Mattermost channel are not paced.
            let reply = await sender.send(api.createPost(channelID: dm, message: Self.message("reply"), rootID: postID))
            guard case let .ok(replyFields) = reply, let replyID = replyFields.messageID else {
                Issue.record("the reply failed: \(reply)")
                return
            }
            #expect(mattermost.post(replyID)?.rootID == postID)

            let patched = try await sender.send(api.patchPost(postID: postID, message: Self.message("redacted")))
            #expect(patched == .ok(ChatAPIFields(messageID: postID, channelID: dm)))
            #expect(mattermost.post(postID)?.message == "**INC-42** redacted")
            #expect(mattermost.post(postID)?.edits == 1)
            #expect(mattermost.calls.allSatisfy { $0.authorization == "Bearer mm-bot-token" })
        }
    }

    @Test func mattermostChannelsAndLimits() async throws {
        try await withMattermost { mattermost, api in
            let sender = sender()
            let create = try api.createChannel(teamID: "team1", name: "inc-42", displayName: "INC-42 Card testing", isPrivate: true)
            guard case let .ok(created) = await sender.send(create), let room = created.channelID else {
                Issue.record("the room was not created")
                return
            }
            #expect(created.channelName == "inc-42")
            #expect(await sender.send(create) == .nameTaken)
            #expect(
                try await sender.send(api.addMember(channelID: room, userID: "erj6qck3rfgtujs86w5r6rckzh"))
                    == .ok(ChatAPIFields(channelID: room, userID: "erj6qck3rfgtujs86w5r6rckzh")))
            #expect(mattermost.channel(room)?.members == [FakeMattermostAPI.botUserID, "erj6qck3rfgtujs86w5r6rckzh"])

            mattermost.script(.createPost, .rateLimited(retryAfter: nil, reset: 2))
            let post = api.createPost(channelID: room, message: Self.message("opened"))
            #expect(await sender.send(post) == .rateLimited(retryAfter: .seconds(2)))
            // Mattermost limits the whole API per token: other calls wait too.
            #expect(try await sender.send(api.archive(channelID: room)) == .rateLimited(retryAfter: .seconds(2)))
            clock.advance(by: 2)
            guard case let .ok(fields) = await sender.send(post), let postID = fields.messageID else {
                Issue.record("the post failed after the wait")
                return
            }
            #expect(try await sender.send(api.pin(postID: postID)) == .ok(ChatAPIFields()))
            #expect(mattermost.post(postID)?.isPinned == true)
            #expect(try await sender.send(api.archive(channelID: room)) == .ok(ChatAPIFields()))
            #expect(try await sender.send(api.archive(channelID: room)) == .ok(ChatAPIFields(alreadyDone: true)))
            mattermost.script(
                .createPost,
                .error(status: 403, id: "api.context.permissions.app_error", message: "You do not have the appropriate permissions."))
            guard case let .failed(failure) = await sender.send(post) else {
                Issue.record("expected a failure")
                return
            }
            #expect(failure.code == "api.context.permissions.app_error")
            #expect(!failure.retryable)
        }
    }
}

/// A transport whose every request fails to connect.
private struct FailingTransport: HTTPTransport {
    func send(_ request: VigilHTTP.HTTPRequest) async throws -> VigilHTTP.HTTPResponse {
        throw HTTPClientError(kind: .couldNotConnect, code: 7, message: "Failed to connect", url: request.url)
    }
}
