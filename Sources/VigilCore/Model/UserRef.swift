/// A chat user as Vigil knows them: the platform's stable ID and a display name.
///
/// Slack sends `<@U123|ava>` (escaped) or `U123` with `user_name`; Mattermost sends a user ID and
/// `@name`. The ID is what mentions use; the name is what people read.
public struct UserRef: Sendable, Hashable, Codable {
    /// The platform's user ID (`U0AVA`), or the bare name when only `@name` was given.
    public var id: String
    /// The display name (`ava`), without `@`.
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    /// Two references are the same person when their IDs match, or when one of them carries only
    /// a name (`@ava`) and the names match.
    public func isSamePerson(as other: UserRef) -> Bool {
        if id == other.id { return true }
        let nameOnly = id == name || other.id == other.name
        return nameOnly && name.lowercased() == other.name.lowercased()
    }
}
