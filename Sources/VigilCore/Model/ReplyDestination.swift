import Foundation

/// A per-request address a chat platform gave for answering one command later (Slack's
/// `response_url`, Discord's interaction webhook), with the reply already rendered for it: what
/// an outbox row of a ``OutboxTarget/reply(_:)`` target posts.
///
/// The address expires with the platform's window (Slack's after 30 minutes, Discord's after 15),
/// so the delivery service dead-letters a row still pending at ``expiresAt`` instead of trying it.
///
/// `url` holds a short-lived credential (an interaction token, a signed path): it must never be
/// logged or shown. ``description`` leaves it out, so interpolating a destination is safe.
public struct ReplyDestination: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The chat platform that gave the address (`slack`, `discord`), for logs and the expiry.
    public var platform: String
    /// `POST` (Slack's `response_url`) or `PATCH` (editing Discord's deferred reply).
    public var method: String
    /// The address. Never log it.
    public var url: String
    /// The platform's JSON body, rendered by its chat adapter; opaque to the core and the store.
    public var body: String
    /// When the platform stops accepting the address: a row still pending then is dead-lettered.
    public var expiresAt: Date

    public init(platform: String, method: String, url: String, body: String, expiresAt: Date) {
        self.platform = platform
        self.method = method
        self.url = url
        self.body = body
        self.expiresAt = expiresAt
    }

    /// The destination without its address: test failures and log lines never show the token.
    public var description: String {
        "ReplyDestination(platform: \(platform), method: \(method), url: <redacted>, expiresAt: \(expiresAt))"
    }

    public var debugDescription: String { description }
}
