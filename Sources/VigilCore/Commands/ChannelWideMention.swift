/// Mentions that notify a whole channel or group rather than one person, on any platform:
/// `@channel`, `@here`, `@all`, `@everyone` (Slack, Mattermost, Discord), and Slack's escaped
/// forms `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` (a user group). A command that
/// takes a person refuses them: `assign 1 @channel` must not page everyone.
public enum ChannelWideMention {
    /// The words that mean "everyone here", without `@`.
    public static let words = ["channel", "here", "all", "everyone"]

    /// The channel-wide mention `token` is, as the user wrote it, or `nil` when it is none.
    public static func named(in token: String) -> String? {
        let lowered = token.lowercased()
        // Every `<!…>` is a Slack special mention (channel, here, everyone, a user group, a date);
        // none of them names one person.
        if lowered.hasPrefix("<!") { return token }
        guard lowered.hasPrefix("@") else { return nil }
        // Mattermost still reads `@channel.` or `@all_` as the mention: trailing sentence
        // punctuation is dropped before it compares.
        var word = Substring(lowered.dropFirst())
        while let last = word.last, ".-_:".contains(last) { word = word.dropLast() }
        return words.contains(String(word)) ? token : nil
    }
}
