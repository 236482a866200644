import Foundation
import Logging
import Synchronization
import VigilChat
import VigilConfig
import VigilCore

/// Posts as an app through Slack's Web API and Mattermost's REST API: channel posts threaded
/// under the incident's first post in that channel, direct messages, and redactions that edit
/// every earlier post about an incident. Every post's id is recorded in the store
/// (``ChatPostLog``), so any replica, after any restart, threads and redacts alike.
final class ChatAppPoster: AppPoster {
    let slack: SlackWebAPI?
    let mattermost: MattermostAPI?
    /// The Mattermost team incident channels are made in.
    let mattermostTeam: String?
    let sender: ChatAPISender
    let posts: any ChatPostLog
    /// The incident channels made so far; `nil` when config gives no incident a channel.
    let rooms: (any IncidentRoomStore)?
    let now: @Sendable () -> Date
    let logger: Logger
    /// The Mattermost bot's own user id, asked once: a direct channel is between it and the person.
    private let botUserID = Mutex<String?>(nil)

    init(
        reach: ReachSettings, sender: ChatAPISender, posts: any ChatPostLog, rooms: (any IncidentRoomStore)? = nil,
        now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        slack = reach.slack.map { SlackWebAPI(token: $0.botToken, baseURL: $0.apiURL) }
        mattermost = reach.mattermost.map { MattermostAPI(serverURL: $0.url, token: $0.botToken) }
        mattermostTeam = reach.mattermost?.teamID
        self.sender = sender
        self.posts = posts
        self.rooms = rooms
        self.now = now
        self.logger = logger
    }

    func post(_ message: Message, platform: String, channel: String, incident: Int?) async -> DeliveryAttempt {
        var root: String?
        if let incident {
            // Follow-ups thread under the incident's first post in this channel. A store that
            // cannot answer now costs the thread, not the post.
            root = try? await posts.posts(of: incident).first { $0.platform == platform && $0.channel == channel }?.postID
        }
        let request: ChatAPIRequest
        switch platform {
        case "slack":
            guard let slack else { return Self.notConfigured(platform) }
            request = slack.postMessage(channel: channel, message: message, threadTS: root)
        case "mattermost":
            guard let mattermost else { return Self.notConfigured(platform) }
            request = mattermost.createPost(channelID: channel, message: message, rootID: root)
        default:
            return Self.notConfigured(platform)
        }
        return await send(request, recording: incident, platform: platform, channel: channel).attempt
    }

    func directMessage(_ message: Message, to identity: Identity, incident: Int?) async -> DeliveryAttempt {
        let open: ChatAPIRequest
        switch identity.platform {
        case "slack":
            guard let slack else { return Self.notConfigured("slack") }
            do {
                open = try slack.openDirectChannel(users: [identity.id])
            } catch {
                return .failed("cannot message \(identity.platform) user: \(error)", retryable: false)
            }
        case "mattermost":
            guard let mattermost else { return Self.notConfigured("mattermost") }
            let bot: String
            switch await mattermostBotID(mattermost) {
            case let .success(id): bot = id
            case let .failure(attempt): return attempt
            }
            open = mattermost.openDirectChannel(botUserID: bot, userID: identity.id)
        default:
            return .failed("Vigil cannot send \(identity.platform) direct messages", retryable: false)
        }
        switch await sender.send(open) {
        case let .ok(fields):
            guard let channel = fields.channelID else { return .failed("no direct channel id in the answer", retryable: true) }
            return await post(message, platform: identity.platform, channel: channel, incident: incident)
        case let other:
            return Self.attempt(other)
        }
    }

    func redact(incident: Int, to message: Message) async -> DeliveryAttempt {
        let recorded: [ChatPost]
        do {
            recorded = try await posts.posts(of: incident)
        } catch {
            return .failed("could not read the incident's posts: \(error)", retryable: true)
        }
        var edited = 0
        for post in recorded {
            let request: ChatAPIRequest
            switch post.platform {
            case "slack":
                guard let slack else { continue }
                request = slack.updateMessage(channel: post.channel, ts: post.postID, message: message)
            case "mattermost":
                guard let mattermost, let patch = try? mattermost.patchPost(postID: post.postID, message: message) else { continue }
                request = patch
            default:
                continue
            }
            // Every edit is the same whatever came before, so a retried row repeats them safely.
            switch await sender.send(request) {
            case .ok: edited += 1
            case let .rateLimited(wait): return .rateLimited(wait ?? .seconds(30), "rate limited while redacting")
            case let .failed(failure) where failure.retryable: return .failed(failure.summary, retryable: true)
            case let .failed(failure):
                // A post someone deleted needs no redaction; the others still do.
                logger.warning(
                    "a post could not be redacted",
                    metadata: ["incident": "\(incident)", "platform": "\(post.platform)", "error": "\(failure.code)"])
            case .nameTaken: continue
            }
        }
        logger.info("earlier posts redacted", metadata: ["incident": "\(incident)", "edited": "\(edited)", "posts": "\(recorded.count)"])
        return .delivered
    }

    // MARK: -

    /// Sends a post and records its id against the incident (for threads and redaction); the
    /// answer's fields too, for a caller that pins it.
    func send(
        _ request: ChatAPIRequest, recording incident: Int?, platform: String, channel: String
    ) async -> (attempt: DeliveryAttempt, fields: ChatAPIFields?) {
        let result = await sender.send(request)
        guard case let .ok(fields) = result else { return (Self.attempt(result), nil) }
        if let incident, let id = fields.messageID {
            do {
                try await posts.recordPost(
                    ChatPost(incident: incident, platform: platform, channel: fields.channelID ?? channel, postID: id, at: now()))
            } catch {
                // Posted: retrying would post twice. The post is missing from threads and redaction.
                logger.error(
                    "a post was made but could not be recorded; a redaction will miss it",
                    metadata: ["incident": "\(incident)", "platform": "\(platform)", "error": "\(String(reflecting: error))"])
            }
        }
        return (.delivered, fields)
    }

    private enum BotID: Sendable {
        case success(String)
        case failure(DeliveryAttempt)
    }

    private func mattermostBotID(_ api: MattermostAPI) async -> BotID {
        if let known = botUserID.withLock({ $0 }) { return .success(known) }
        switch await sender.send(api.currentUser()) {
        case let .ok(fields):
            guard let id = fields.userID else { return .failure(.failed("no user id for the bot", retryable: true)) }
            botUserID.withLock { $0 = id }
            return .success(id)
        case let other:
            return .failure(Self.attempt(other))
        }
    }

    static func attempt(_ result: ChatAPIResult) -> DeliveryAttempt {
        switch result {
        case .ok: .delivered
        case let .rateLimited(wait): .rateLimited(wait ?? .seconds(30), "rate limited")
        case .nameTaken: .failed("name taken", retryable: false)
        case let .failed(failure): .failed(failure.summary, retryable: failure.retryable)
        }
    }

    static func notConfigured(_ platform: String) -> DeliveryAttempt {
        .failed("\(platform) has no bot token configured", retryable: false)
    }
}
