import Foundation

/// One post Vigil made about an incident through a platform's API (Slack's `ts`, Mattermost's
/// post id): what a follow-up threads under, and what a redaction edits.
public struct ChatPost: Sendable, Equatable {
    public var incident: Int
    /// `slack` or `mattermost`.
    public var platform: String
    /// The channel's ID (a direct message's too).
    public var channel: String
    /// The platform's id for the post: Slack's `ts`, Mattermost's post id.
    public var postID: String
    public var at: Date

    public init(incident: Int, platform: String, channel: String, postID: String, at: Date) {
        self.incident = incident
        self.platform = platform
        self.channel = channel
        self.postID = postID
        self.at = at
    }
}

/// The store's record of the posts Vigil made through platform APIs. Kept in the database, not
/// in memory, so that any replica, after any restart, threads under the same announcement and
/// edits every earlier post when an incident becomes restricted.
public protocol ChatPostLog: Sendable {
    /// Records a post; recording the same post twice keeps one.
    func recordPost(_ post: ChatPost) async throws

    /// The incident's posts, oldest first.
    func posts(of incident: Int) async throws -> [ChatPost]
}
