import Foundation

/// A platform's answer to a ``ChatAPIRequest`` as the parsers need it: status, headers, body.
/// Plain data, so VigilChat reads answers without importing the HTTP client.
public struct ChatAPIResponse: Sendable {
    public var status: Int
    /// Header fields as received; looked up case-insensitively.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header called `name` (any case), or `nil`.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// What a successful call returned that the caller keeps: the ids later calls refer to.
public struct ChatAPIFields: Sendable, Hashable {
    /// The message's id: Slack's `ts` (also its thread key), Mattermost's post id.
    public var messageID: String?
    /// The channel posted to, created, or opened for a direct message.
    public var channelID: String?
    /// The channel's name as the platform stored it (after a create).
    public var channelName: String?
    /// The user's id (Mattermost `users/me`: the bot's own).
    public var userID: String?
    /// True when the platform said the thing was already so (`already_in_channel`,
    /// `already_pinned`, `already_archived`): nothing changed, and nothing needs to.
    public var alreadyDone: Bool

    public init(
        messageID: String? = nil, channelID: String? = nil, channelName: String? = nil, userID: String? = nil, alreadyDone: Bool = false
    ) {
        self.messageID = messageID
        self.channelID = channelID
        self.channelName = channelName
        self.userID = userID
        self.alreadyDone = alreadyDone
    }
}

/// Why a call failed, in words safe to log: the platform's error code and a short summary of its
/// answer, never the request's token (the parsers do not see it, and strip any that is echoed).
public struct ChatAPIFailure: Sendable, Hashable, CustomStringConvertible {
    /// Slack's `error` (`channel_not_found`), Mattermost's error `id`
    /// (`app.channel.get.existing.app_error`), `http_<status>` when the body says nothing, or
    /// `transport` when no answer came.
    public var code: String
    /// Whether the same request may succeed later (a platform hiccup), as opposed to never
    /// (bad token, missing channel, refused content): the caller retries or dead-letters.
    public var retryable: Bool
    /// `HTTP 404 app.channel.get.existing.app_error: Unable to find the existing channel.`
    public var summary: String

    public init(code: String, retryable: Bool, summary: String) {
        self.code = code
        self.retryable = retryable
        self.summary = summary
    }

    public var description: String { summary }
}

/// A chat API call's outcome, as the outbox delivery service acts on it.
public enum ChatAPIResult: Sendable, Hashable {
    /// Done; the fields hold what the answer said that matters (ts, channel id, …).
    case ok(ChatAPIFields)
    /// The platform (429) or Vigil's own per-channel pacing says "not now": try again after the
    /// wait, or after the caller's default when the platform named none.
    case rateLimited(retryAfter: Duration?)
    /// A channel with the requested name already exists: pick another name and create again.
    case nameTaken
    /// Refused or broken; see ``ChatAPIFailure/retryable``.
    case failed(ChatAPIFailure)
}

/// A request that could not be built, because sending it could only be refused (or, for an id
/// that would land in a URL path, go somewhere else).
public enum ChatAPIRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The channel name breaks the platform's rules (see ``SlackWebAPI/isValidChannelName(_:)``).
    case invalidChannelName(String)
    /// An id that must be letters and digits (it goes into a URL path) is not.
    case invalidID(String)
    /// Too many or too few people in one call (Slack invites at most 1,000 at once).
    case userCount(Int)

    public var description: String {
        switch self {
        case let .invalidChannelName(name): "invalid channel name: \(name)"
        case let .invalidID(id): "invalid id: \(id)"
        case let .userCount(count): "invalid number of users in one call: \(count)"
        }
    }
}

extension ChatAPIRequest {
    /// Reads the platform's answer to this request.
    ///
    /// - Parameter now: the time the answer arrived, for a rate-limit reset given as a time.
    public func parse(_ response: ChatAPIResponse, now: Date) -> ChatAPIResult {
        switch platform {
        case .slack: SlackWebAPI.parse(response, operation: operation)
        case .mattermost: MattermostAPI.parse(response, operation: operation, now: now)
        }
    }
}

// MARK: - Shared helpers for both parsers

enum ChatAPIText {
    /// At most `limit` characters of an answer's text for a log line, with any bearer or
    /// Slack-style token blanked, in case a platform (or a proxy in front of it) echoes one.
    static func summary(_ text: String, limit: Int = 200) -> String {
        var words: [Substring] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let bare = word.drop { !$0.isLetter }
            let tokenLike = ["xoxb-", "xoxp-", "xoxa-", "xoxe-", "xapp-"].contains { bare.hasPrefix($0) }
            words.append(tokenLike ? "<redacted>" : word)
        }
        let joined = words.joined(separator: " ").replacingOccurrences(of: "\n", with: " ")
        return joined.count <= limit ? joined : String(joined.prefix(limit - 1)) + "…"
    }

    /// A delay given in whole (or fractional) seconds, as both platforms send `Retry-After`.
    static func seconds(_ raw: String?) -> Duration? {
        number(raw).map(duration)
    }

    /// A non-negative finite number, or `nil`.
    static func number(_ raw: String?) -> Double? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), let value = Double(raw), value.isFinite, value >= 0 else {
            return nil
        }
        return value
    }

    /// `seconds` as a duration, rounded up to the millisecond and capped at a year: a larger
    /// number is a broken header, not a plan.
    static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((min(max(seconds, 0), 366 * 24 * 3600) * 1000).rounded(.up)))
    }
}
