import VigilJSON

/// An ntfy topic name: 1 to 64 of `A–Z a–z 0–9 - _`, the rule ntfy's server enforces.
///
/// Checked when config is read, so a typo fails at start rather than at 3 a.m. with a 400.
public struct NtfyTopic: Sendable, Hashable, CustomStringConvertible {
    /// The topic's name.
    public let name: String

    /// Accepts `name` if ntfy would.
    ///
    /// - Throws: ``NtfyError/invalidTopic(_:)`` naming the rule that was broken.
    public init(_ name: String) throws(NtfyError) {
        guard !name.isEmpty, name.utf8.count <= 64 else {
            throw .invalidTopic("ntfy topic must be 1 to 64 characters long, got \(name.utf8.count)")
        }
        guard name.utf8.allSatisfy(Self.isTopicByte) else {
            throw .invalidTopic("ntfy topic may contain only letters, digits, '-' and '_': \(PagerText.singleLine(name))")
        }
        self.name = name
    }

    public var description: String { name }

    private static func isTopicByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}

/// Why an ntfy request could not be built. Each is a configuration mistake, never retryable.
public enum NtfyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The topic breaks ntfy's naming rule; the text says which part.
    case invalidTopic(String)
    /// The server URL is not an absolute http(s) URL.
    case invalidBaseURL(String)
    /// The access token contains characters that cannot go into an HTTP header.
    case invalidAccessToken

    public var description: String {
        switch self {
        case .invalidTopic(let detail): detail
        case .invalidBaseURL(let detail): detail
        case .invalidAccessToken: "ntfy access token must be printable ASCII without spaces"
        }
    }
}

/// One ntfy notification for a person's phone: an urgent push that opens the incident.
///
/// Rendered in ntfy's JSON publish form (POST the whole message as JSON to the server's root
/// URL) rather than the header form (POST the body to `/<topic>` with `Title:`, `Tags:`, …
/// headers). ntfy documents both; the JSON form is the robust one here because every field is
/// UTF-8 JSON: a non-ASCII title or tag needs no RFC 2047 encoding, an action label with a comma,
/// semicolon or quote cannot break the `Actions:` header's mini-grammar, and no user text ever
/// reaches an HTTP header, so header injection is impossible by construction.
public struct NtfyPublication: Sendable, Hashable {
    /// ntfy keeps messages up to 4,096 bytes as text (longer ones become attachments).
    public static let maxMessageBytes = 4096

    /// Where to publish.
    public var topic: NtfyTopic
    /// The notification's title, on one line (line breaks become spaces).
    public var title: String
    /// The notification's text; line breaks are kept. Cut to ``maxMessageBytes``.
    public var message: String
    /// 1 (min) … 5 (max/urgent). Pages are urgent: 5 by default.
    public var priority: Int
    /// Tags; ntfy shows known ones as emoji (`rotating_light` → 🚨). Commas are removed, since
    /// ntfy joins tags with commas internally.
    public var tags: [String]
    /// Opened when the notification is tapped: the incident's page.
    public var click: String?
    /// The label of a "view" action button to ``click``; no button when nil (or no link).
    public var actionLabel: String?

    /// Creates a publication; `priority` is clamped to 1…5.
    public init(
        topic: NtfyTopic,
        title: String,
        message: String,
        priority: Int = 5,
        tags: [String] = ["rotating_light"],
        click: String? = nil,
        actionLabel: String? = nil
    ) {
        self.topic = topic
        self.title = title
        self.message = message
        self.priority = min(max(priority, 1), 5)
        self.tags = tags
        self.click = click
        self.actionLabel = actionLabel
    }

    /// The JSON object ntfy's root URL accepts.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("topic", .string(topic.name)),
            ("title", .string(PagerText.singleLine(title))),
            ("message", .string(PagerText.truncated(message, maxUTF8: Self.maxMessageBytes))),
            ("priority", .int(Int64(min(max(priority, 1), 5)))),
        ]
        let cleanTags = tags.map { PagerText.singleLine($0).replacing(",", with: "") }.filter { !$0.isEmpty }
        if !cleanTags.isEmpty { members.append(("tags", .array(cleanTags.map { .string($0) }))) }
        if let click {
            members.append(("click", .string(PagerText.singleLine(click))))
            if let actionLabel {
                let action: JSONValue = .object([
                    ("action", "view"),
                    ("label", .string(PagerText.singleLine(actionLabel))),
                    ("url", .string(PagerText.singleLine(click))),
                ])
                members.append(("actions", .array([action])))
            }
        }
        return .object(members)
    }

    /// The POST that publishes this notification.
    ///
    /// - Parameters:
    ///   - baseURL: the ntfy server, e.g. `https://ntfy.example.com` (a path prefix is kept).
    ///   - accessToken: sent as `Authorization: Bearer <token>` when the server needs one.
    /// - Throws: ``NtfyError`` for a URL or token that cannot be used.
    public func request(baseURL: String, accessToken: String? = nil) throws(NtfyError) -> PagerRequest {
        let lowered = baseURL.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"),
            !baseURL.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "?" || $0 == "#" })
        else {
            throw .invalidBaseURL("ntfy url must be an absolute http(s) URL without query, e.g. https://ntfy.example.com")
        }
        var root = baseURL
        while root.hasSuffix("/") { root.removeLast() }
        var headers = [PagerRequest.Header("Content-Type", "application/json")]
        if let accessToken {
            guard !accessToken.isEmpty, accessToken.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw .invalidAccessToken
            }
            headers.append(PagerRequest.Header("Authorization", "Bearer \(accessToken)"))
        }
        return PagerRequest(url: root + "/", headers: headers, body: json.serialized())
    }
}
