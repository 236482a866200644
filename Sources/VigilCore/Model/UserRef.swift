/// A chat user as Vigil knows them: the platform, the platform's stable ID and a display name.
///
/// Slack sends `<@U123|ava>` (escaped) or `U123` with `user_name`; Mattermost sends a user ID and
/// `@name`. The platform and ID are the person's ``Identity``; the name is only what people read.
///
/// `platform` is `nil` when it is not known: a mention typed by name (`assign 1 @bob`, shown and
/// stored for display but never trusted), or a row written before Vigil recorded platforms (such
/// rows keep reading as before, with an unknown platform). A reference with no platform has no
/// ``identity`` and so can never be granted anything.
public struct UserRef: Sendable, Hashable, Codable {
    /// The platform's user ID (`U0AVA`), or the bare name when only `@name` was given.
    public var id: String
    /// The display name (`ava`), without `@`.
    public var name: String
    /// `slack`, `mattermost`, …; `nil` when unknown (see the type's documentation).
    public var platform: String?

    public init(id: String, name: String, platform: String? = nil) {
        self.id = id
        self.name = name
        self.platform = platform
    }

    /// `slack:U0AVA`, when the platform is known.
    public var identity: Identity? { platform.map { Identity(platform: $0, id: id) } }

    /// This reference, with `platform` filled in when it was unknown.
    public func on(_ platform: String) -> UserRef {
        var user = self
        if user.platform == nil { user.platform = platform }
        return user
    }

    /// Two references are the same account when their IDs match and their platforms do not
    /// differ (an unknown platform, from an old row or a typed mention, matches any). Names are
    /// never compared: `user_name=dee` must not become Dee. Linking accounts of one person across
    /// platforms is ``PeopleDirectory``'s job.
    public func isSamePerson(as other: UserRef) -> Bool {
        guard id == other.id else { return false }
        guard let platform, let otherPlatform = other.platform else { return true }
        return platform == otherPlatform
    }

    // MARK: - Stored form

    /// The ID as stores keep it: `slack:U0AVA` when the platform is known, the bare ID otherwise.
    /// Platform IDs and typed names never contain `:` after a known platform word, so the two
    /// forms cannot be confused.
    public var storedID: String { platform.map { "\($0):\(id)" } ?? id }

    /// Reads ``storedID``: `slack:U0AVA` gets its platform back; a bare ID (rows written before
    /// platforms were recorded) reads with an unknown platform.
    public init(storedID: String, name: String) {
        if let identity = Identity(parsing: storedID), storedID.hasPrefix(identity.platform + ":") {
            self.init(id: identity.id, name: name, platform: identity.platform)
        } else {
            self.init(id: storedID, name: name)
        }
    }
}
