import Foundation
import Testing
import VigilChat
import VigilCore

/// Slack's answers, from the recorded bodies in `Fixtures/slack-web-api/`, read into results.
@Suite("Slack Web API: answers")
struct SlackWebAPIResponseTests {
    static let now = Date(timeIntervalSince1970: 1_733_200_000)

    func answer(_ fixture: String, status: Int = 200, headers: [(name: String, value: String)] = []) throws -> ChatAPIResponse {
        ChatAPIResponse(status: status, headers: headers, body: try FixtureLoader.bytes("slack-web-api/\(fixture)"))
    }

    @Test func postMessageGivesTsAndChannel() throws {
        let result = SlackWebAPI.parse(try answer("chat.postMessage.json"), operation: .postMessage)
        #expect(result == .ok(ChatAPIFields(messageID: "1733200000.000100", channelID: "C0INCIDENTS")))
    }

    @Test func updateGivesTsAndChannel() throws {
        let result = SlackWebAPI.parse(try answer("chat.update.json"), operation: .updateMessage)
        #expect(result == .ok(ChatAPIFields(messageID: "1733200000.000100", channelID: "C0INCIDENTS")))
    }

    @Test func conversationsGiveTheChannelID() throws {
        #expect(
            SlackWebAPI.parse(try answer("conversations.open.json"), operation: .openDirectChannel)
                == .ok(ChatAPIFields(channelID: "D0AVADM001")))
        #expect(
            SlackWebAPI.parse(try answer("conversations.create.json"), operation: .createChannel)
                == .ok(ChatAPIFields(channelID: "C0INC42ROOM", channelName: "inc-42-card-testing-spike")))
        #expect(
            SlackWebAPI.parse(try answer("conversations.invite.json"), operation: .inviteToChannel)
                == .ok(ChatAPIFields(channelID: "C0INC42ROOM", channelName: "inc-42-card-testing-spike")))
        #expect(
            SlackWebAPI.parse(try answer("conversations.setTopic.json"), operation: .setTopic)
                == .ok(ChatAPIFields(channelID: "C0INC42ROOM", channelName: "inc-42-card-testing-spike")))
        #expect(SlackWebAPI.parse(try answer("pins.add.json"), operation: .pinMessage) == .ok(ChatAPIFields()))
        #expect(SlackWebAPI.parse(try answer("conversations.archive.json"), operation: .archiveChannel) == .ok(ChatAPIFields()))
    }

    @Test(
        "What was asked is already so: success",
        arguments: [
            ("error.already_in_channel.json", ChatAPIOperation.inviteToChannel),
            ("error.already_pinned.json", .pinMessage),
            ("error.already_archived.json", .archiveChannel),
        ])
    func alreadyDone(fixture: String, operation: ChatAPIOperation) throws {
        #expect(SlackWebAPI.parse(try answer(fixture), operation: operation) == .ok(ChatAPIFields(alreadyDone: true)))
    }

    @Test func nameTakenOnCreateAsksForAnotherName() throws {
        #expect(SlackWebAPI.parse(try answer("error.name_taken.json"), operation: .createChannel) == .nameTaken)
    }

    @Test(
        "Refusals a retry cannot fix",
        arguments: [
            "channel_not_found", "not_in_channel", "invalid_auth", "token_revoked", "msg_too_long", "invalid_blocks", "missing_scope",
        ])
    func finalErrors(code: String) throws {
        guard case let .failed(failure) = SlackWebAPI.parse(try answer("error.\(code).json"), operation: .postMessage) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == code)
        #expect(!failure.retryable)
        #expect(failure.summary.hasPrefix("slack error \(code)"))
    }

    @Test("Slack's own trouble: retry later", arguments: ["internal_error", "fatal_error", "service_unavailable", "request_timeout"])
    func transientErrors(code: String) throws {
        #expect(
            SlackWebAPI.parse(try answer("error.\(code).json"), operation: .postMessage)
                == .failed(ChatAPIFailure(code: code, retryable: true, summary: "slack error \(code)")))
    }

    @Test func summariesSayWhatToFix() throws {
        guard case let .failed(blocks) = SlackWebAPI.parse(try answer("error.invalid_blocks.json"), operation: .postMessage),
            case let .failed(scope) = SlackWebAPI.parse(try answer("error.missing_scope.json"), operation: .createChannel)
        else {
            Issue.record("expected failures")
            return
        }
        #expect(blocks.summary == "slack error invalid_blocks: [ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]")
        #expect(scope.summary == "slack error missing_scope: needed scope groups:write")
    }

    @Test func rateLimitGivesRetryAfter() throws {
        let response = try answer("error.ratelimited.json", status: 429, headers: [("Retry-After", "30")])
        #expect(SlackWebAPI.parse(response, operation: .postMessage) == .rateLimited(retryAfter: .seconds(30)))
        // Without a usable header the caller's default applies.
        let bare = try answer("error.ratelimited.json", status: 429, headers: [("Retry-After", "soon")])
        #expect(SlackWebAPI.parse(bare, operation: .postMessage) == .rateLimited(retryAfter: nil))
        // `ratelimited` inside a 200 is the same thing.
        #expect(SlackWebAPI.parse(try answer("error.ratelimited.json"), operation: .postMessage) == .rateLimited(retryAfter: nil))
    }

    @Test("HTTP errors", arguments: [(500, true), (502, true), (503, true), (408, true), (404, false), (400, false), (410, false)])
    func httpStatus(status: Int, retryable: Bool) {
        let result = SlackWebAPI.parse(ChatAPIResponse(status: status, body: Array("<html>oops</html>".utf8)), operation: .postMessage)
        #expect(
            result
                == .failed(
                    ChatAPIFailure(
                        code: "http_\(status)", retryable: retryable, summary: "Slack answered HTTP \(status): <html>oops</html>")))
    }

    @Test func aBodyThatIsNotSlacksJSONIsTransient() {
        let result = SlackWebAPI.parse(ChatAPIResponse(status: 200, body: Array("ok".utf8)), operation: .postMessage)
        guard case let .failed(failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == "invalid_response")
        #expect(failure.retryable)
    }

    @Test func anEchoedTokenIsBlankedInSummaries() {
        let body = Array("bad token xoxb-1111-2222-secret here".utf8)
        guard case let .failed(failure) = SlackWebAPI.parse(ChatAPIResponse(status: 401, body: body), operation: .postMessage) else {
            Issue.record("expected a failure")
            return
        }
        #expect(!failure.summary.contains("secret"))
        #expect(failure.summary.contains("<redacted>"))
    }

    @Test func aRequestParsesWithItsOwnPlatformAndOperation() throws {
        let request = SlackWebAPI(token: "t").postMessage(channel: "C0INCIDENTS", message: Message(lines: [[.text("hi")]]))
        #expect(
            request.parse(try answer("chat.postMessage.json"), now: Self.now)
                == .ok(ChatAPIFields(messageID: "1733200000.000100", channelID: "C0INCIDENTS")))
    }
}
