import Crypto

/// Who sent a chat request and a digest of what it asked, kept with the request's reply so that a
/// request ID reused for another request is refused rather than answered with someone else's reply.
public struct RequestFingerprint: Sendable, Equatable {
    /// The sender's platform user ID (`U0AVA`), never a display name.
    public var sender: String
    /// Lowercase hex SHA-256 of the platform, sender, channel and text.
    public var hash: String

    public init(sender: String, hash: String) {
        self.sender = sender
        self.hash = hash
    }

    /// The fingerprint of `invocation`: its platform, user ID, channel ID and text, each
    /// length-prefixed so that no two different requests hash the same bytes.
    public init(_ invocation: Invocation) {
        var hasher = SHA256()
        for field in [invocation.platform, invocation.user.id, invocation.channelID, invocation.text] {
            let bytes = Array(field.utf8)
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
        }
        sender = invocation.user.id
        hash = Digits.hex(hasher.finalize())
    }
}

/// What the store holds for a committed request ID: the first reply and, for requests committed
/// since fingerprints were recorded, who sent it and what it asked.
public struct StoredRequest: Sendable, Equatable {
    public var reply: Reply
    /// `nil` for a record written before fingerprints were kept (it cannot be checked).
    public var fingerprint: RequestFingerprint?

    public init(reply: Reply, fingerprint: RequestFingerprint?) {
        self.reply = reply
        self.fingerprint = fingerprint
    }

    /// True when a repeat with `fingerprint` is the same request and may get the stored reply:
    /// the same sender and the same request. A record too old to tell is not answered: its reply
    /// may be another person's view, and a platform's own retry comes within seconds, so only a
    /// retry that straddles the upgrade is refused (and it changes nothing either way).
    public func isRepeat(of fingerprint: RequestFingerprint?) -> Bool {
        guard let stored = self.fingerprint, let fingerprint else { return false }
        return stored == fingerprint
    }
}
