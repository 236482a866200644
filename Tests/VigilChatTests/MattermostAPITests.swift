import Foundation
import Testing
import VigilChat
import VigilCore
import VigilJSON
import VigilTestSupport

/// The Mattermost v4 calls as the server would receive them, and its recorded answers
/// (`Fixtures/mattermost-api/`) read into results.
@Suite("Mattermost API v4: requests and answers")
struct MattermostAPITests {
    static let now = Date(timeIntervalSince1970: 1_733_200_000)
    static let buttons = MattermostRenderer.Buttons(publicURL: "https://vigil.example.com", token: "qzgakf1nx3yt9dr4n8585ihbxy")
    let api = MattermostAPI(
        serverURL: "https://chat.example.com/", token: "mm-bot-token-secret", renderer: MattermostRenderer(buttons: buttons))

    static let announcement = Message(
        lines: [[.bold("INC-42"), .text(" opened · SEV1 · fraud — Card testing spike")]],
        actions: [MessageAction(name: "ack", label: "Ack", command: "ack INC-42", style: .primary)])

    func expectCall(_ request: ChatAPIRequest, _ method: String, _ path: String, json: Bool = true) {
        #expect(request.method == method)
        #expect(request.url == "https://chat.example.com/api/v4\(path)")
        #expect(request.header("Authorization") == "Bearer mm-bot-token-secret")
        #expect(request.header("Content-Type") == (json ? "application/json; charset=utf-8" : nil))
        #expect(request.platform == .mattermost)
        #expect(request.pacingKey == nil)
    }

    func answer(_ fixture: String, status: Int) throws -> ChatAPIResponse {
        ChatAPIResponse(status: status, body: try FixtureLoader.bytes("mattermost-api/\(fixture)"))
    }

    // MARK: - Requests

    @Test func createPostRendersMarkdownAndButtons() throws {
        let request = api.createPost(
            channelID: "fukxanjgjbnp7ng383at53k1sy", message: Self.announcement, rootID: "q4zt8hm3pby7mkx5yr1oa9cn6e")
        expectCall(request, "POST", "/posts")
        let json = try JSONValue.parse(request.body)
        #expect(json["channel_id"] == "fukxanjgjbnp7ng383at53k1sy")
        #expect(json["root_id"] == "q4zt8hm3pby7mkx5yr1oa9cn6e")
        let webhook = MattermostRenderer(buttons: Self.buttons).webhookBody(Self.announcement)
        #expect(json["message"] == webhook["text"])
        #expect(json["props"]?["attachments"] == webhook["attachments"])
        #expect(json["props"]?["attachments"]?.arrayValue?.first?["actions"]?.arrayValue?.first?["name"] == "Ack")
    }

    @Test func createPostWithoutButtonsHasNoProps() throws {
        let request = MattermostAPI(serverURL: "https://chat.example.com", token: "t").createPost(
            channelID: "c1", message: Self.announcement)
        let json = try JSONValue.parse(request.body)
        #expect(json["props"] == nil)
        #expect(json["root_id"] == nil)
    }

    @Test func patchReplacesMessageAndClearsButtons() throws {
        let redacted = Message(lines: [[.bold("INC-42"), .text(" opened · SEV1 · child-safety")]])
        let request = try api.patchPost(postID: "q4zt8hm3pby7mkx5yr1oa9cn6e", message: redacted)
        expectCall(request, "PUT", "/posts/q4zt8hm3pby7mkx5yr1oa9cn6e/patch")
        #expect(request.operation == .updateMessage)
        #expect(
            try JSONValue.parse(request.body) == [
                "message": "**INC-42** opened · SEV1 · child-safety", "props": ["attachments": [["actions": []]]],
            ])
    }

    @Test func userAndChannelCalls() throws {
        let me = api.currentUser()
        expectCall(me, "GET", "/users/me", json: false)
        #expect(me.body.isEmpty)

        let direct = api.openDirectChannel(botUserID: "b0tuserid0000000000000000w", userID: "erj6qck3rfgtujs86w5r6rckzh")
        expectCall(direct, "POST", "/channels/direct")
        #expect(try JSONValue.parse(direct.body) == ["b0tuserid0000000000000000w", "erj6qck3rfgtujs86w5r6rckzh"])

        let create = try api.createChannel(
            teamID: "wx4zz8t4ttgmtxqiwfohijayzc", name: "inc-42-card-testing-spike", displayName: "INC-42 Card testing spike",
            isPrivate: true)
        expectCall(create, "POST", "/channels")
        #expect(
            try JSONValue.parse(create.body) == [
                "team_id": "wx4zz8t4ttgmtxqiwfohijayzc", "name": "inc-42-card-testing-spike", "display_name": "INC-42 Card testing spike",
                "type": "P",
            ])
        let open = try api.createChannel(teamID: "t1", name: "inc-7", displayName: String(repeating: "d", count: 100), isPrivate: false)
        #expect(try JSONValue.parse(open.body)["type"] == "O")
        #expect(try JSONValue.parse(open.body)["display_name"]?.stringValue?.count == 64)

        let member = try api.addMember(channelID: "inc42room00000000000000000", userID: "erj6qck3rfgtujs86w5r6rckzh")
        expectCall(member, "POST", "/channels/inc42room00000000000000000/members")
        #expect(try JSONValue.parse(member.body) == ["user_id": "erj6qck3rfgtujs86w5r6rckzh"])

        let pin = try api.pin(postID: "q4zt8hm3pby7mkx5yr1oa9cn6e")
        expectCall(pin, "POST", "/posts/q4zt8hm3pby7mkx5yr1oa9cn6e/pin", json: false)

        let archive = try api.archive(channelID: "inc42room00000000000000000")
        expectCall(archive, "DELETE", "/channels/inc42room00000000000000000", json: false)
        #expect(archive.rateLimitScope == "mattermost:https://chat.example.com")
    }

    @Test("Ids that would change the URL path are refused", arguments: ["", "../users/me", "abc/def", "a?b=c", "a%2F", "ü"])
    func pathIDs(id: String) {
        #expect(throws: ChatAPIRequestError.invalidID(id)) { try api.archive(channelID: id) }
        #expect(throws: ChatAPIRequestError.invalidID(id)) { try api.patchPost(postID: id, message: Self.announcement) }
    }

    @Test(
        "Channel names",
        arguments: [
            ("inc-42", true), ("inc_42", true), ("a", true), (String(repeating: "x", count: 64), true),
            ("", false), ("-inc", false), ("_inc", false), ("INC-42", false), ("inc 42", false), (String(repeating: "x", count: 65), false),
        ])
    func channelNames(name: String, valid: Bool) {
        #expect(MattermostAPI.isValidChannelName(name) == valid)
        #expect((try? api.createChannel(teamID: "t1", name: name, displayName: "d", isPrivate: true)) != nil || !valid)
    }

    // MARK: - Answers

    @Test func successfulAnswersGiveTheIDs() throws {
        #expect(
            MattermostAPI.parse(try answer("posts.create.json", status: 201), operation: .postMessage, now: Self.now)
                == .ok(ChatAPIFields(messageID: "q4zt8hm3pby7mkx5yr1oa9cn6e", channelID: "fukxanjgjbnp7ng383at53k1sy")))
        #expect(
            MattermostAPI.parse(try answer("posts.patch.json", status: 200), operation: .updateMessage, now: Self.now)
                == .ok(ChatAPIFields(messageID: "q4zt8hm3pby7mkx5yr1oa9cn6e", channelID: "fukxanjgjbnp7ng383at53k1sy")))
        #expect(
            MattermostAPI.parse(try answer("users.me.json", status: 200), operation: .currentUser, now: Self.now)
                == .ok(ChatAPIFields(userID: "b0tuserid0000000000000000w")))
        #expect(
            MattermostAPI.parse(try answer("channels.direct.json", status: 201), operation: .openDirectChannel, now: Self.now)
                == .ok(
                    ChatAPIFields(
                        channelID: "dm0channel000000000000000d", channelName: "b0tuserid0000000000000000w__erj6qck3rfgtujs86w5r6rckzh")))
        #expect(
            MattermostAPI.parse(try answer("channels.create.json", status: 201), operation: .createChannel, now: Self.now)
                == .ok(ChatAPIFields(channelID: "inc42room00000000000000000", channelName: "inc-42-card-testing-spike")))
        #expect(
            MattermostAPI.parse(try answer("channels.members.json", status: 201), operation: .inviteToChannel, now: Self.now)
                == .ok(ChatAPIFields(channelID: "inc42room00000000000000000", userID: "erj6qck3rfgtujs86w5r6rckzh")))
        #expect(
            MattermostAPI.parse(try answer("status.ok.json", status: 200), operation: .pinMessage, now: Self.now) == .ok(ChatAPIFields()))
        #expect(
            MattermostAPI.parse(try answer("status.ok.json", status: 200), operation: .archiveChannel, now: Self.now)
                == .ok(ChatAPIFields()))
    }

    @Test func existingNameOnCreateAsksForAnotherName() throws {
        #expect(
            MattermostAPI.parse(try answer("error.channel_exists.json", status: 400), operation: .createChannel, now: Self.now)
                == .nameTaken)
    }

    @Test func archivingAnArchivedChannelIsDone() throws {
        #expect(
            MattermostAPI.parse(try answer("error.channel_deleted.json", status: 400), operation: .archiveChannel, now: Self.now)
                == .ok(ChatAPIFields(alreadyDone: true)))
    }

    /// A recorded error body and how it must read.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var fixture: String
        var status: Int
        var id: String
        var retryable: Bool
        var message: String
        var testDescription: String { fixture }
    }

    static let errorCases = [
        ErrorCase(
            fixture: "error.not_found.json", status: 404, id: "app.channel.get.existing.app_error", retryable: false,
            message: "Unable to find the existing channel."),
        ErrorCase(
            fixture: "error.unauthorized.json", status: 401, id: "api.context.session_expired.app_error", retryable: false,
            message: "Invalid or expired session, please login again."),
        ErrorCase(
            fixture: "error.forbidden.json", status: 403, id: "api.context.permissions.app_error", retryable: false,
            message: "You do not have the appropriate permissions."),
        ErrorCase(
            fixture: "error.internal.json", status: 500, id: "app.post.save.app_error", retryable: true, message: "Unable to save the Post."
        ),
        ErrorCase(
            fixture: "error.channel_exists.json", status: 400, id: "store.sql_channel.save_channel.exists.app_error", retryable: false,
            message: "A channel with that name already exists on the same team."),
    ]

    @Test("Error bodies are summarised; 4xx final, 5xx retried", arguments: errorCases)
    func errors(_ error: ErrorCase) throws {
        let result = MattermostAPI.parse(try answer(error.fixture, status: error.status), operation: .postMessage, now: Self.now)
        let summary = "Mattermost answered HTTP \(error.status) \(error.id): \(error.message)"
        #expect(result == .failed(ChatAPIFailure(code: error.id, retryable: error.retryable, summary: summary)))
        // The unauthorized body's detail echoes a token; the summary never carries it.
        if case let .failed(failure) = result { #expect(!failure.summary.contains("xoxb")) }
    }

    @Test func aBodyWithoutAnErrorIDIsSummarisedByStatus() {
        let result = MattermostAPI.parse(
            ChatAPIResponse(status: 502, body: Array("Bad Gateway".utf8)), operation: .postMessage, now: Self.now)
        #expect(
            result
                == .failed(
                    ChatAPIFailure(
                        code: "http_502", retryable: true, summary: "Mattermost answered HTTP 502 without an error id: Bad Gateway")))
    }

    @Test func rateLimitHeaders() throws {
        let body = try FixtureLoader.bytes("mattermost-api/rate-limited.txt")
        func parse(_ headers: [(name: String, value: String)]) -> ChatAPIResult {
            MattermostAPI.parse(ChatAPIResponse(status: 429, headers: headers, body: body), operation: .postMessage, now: Self.now)
        }
        #expect(
            parse([("X-Ratelimit-Limit", "10"), ("X-Ratelimit-Remaining", "0"), ("X-Ratelimit-Reset", "1"), ("Retry-After", "2")])
                == .rateLimited(retryAfter: .seconds(2)))
        #expect(parse([("X-Ratelimit-Reset", "3")]) == .rateLimited(retryAfter: .seconds(3)))
        // A reset given as a Unix time counts from now.
        #expect(parse([("X-Ratelimit-Reset", "1733200007")]) == .rateLimited(retryAfter: .seconds(7)))
        #expect(parse([]) == .rateLimited(retryAfter: nil))
    }
}
