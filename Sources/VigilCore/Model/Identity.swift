/// Who someone is, for every decision Vigil makes: a platform and that platform's user ID
/// (`slack:U0AVA`, `mattermost:8x7kq3…`). A display name is never an identity: anyone can choose
/// one (`user_name=dee`), so names are only ever shown.
public struct Identity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The platforms an identity may name.
    public static let platforms = ["slack", "mattermost", "discord", "teams"]

    /// `slack`, `mattermost`, `discord` or `teams`.
    public var platform: String
    /// The platform's stable user ID, as the platform sends it (case kept).
    public var id: String

    public init(platform: String, id: String) {
        self.platform = platform
        self.id = id
    }

    /// Parses `platform:user-id`; `nil` unless the platform is one of ``platforms`` and the ID is
    /// non-empty and free of spaces. Only the first `:` separates (Teams IDs contain `:`).
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let platform = String(text[..<colon]).lowercased()
        let id = String(text[text.index(after: colon)...])
        guard Self.platforms.contains(platform), !id.isEmpty, !id.contains(where: { $0.isWhitespace }) else { return nil }
        self.init(platform: platform, id: id)
    }

    /// `slack:U0AVA`.
    public var description: String { "\(platform):\(id)" }

    public static func < (lhs: Identity, rhs: Identity) -> Bool { lhs.description < rhs.description }
}
