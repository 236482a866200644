/// One slash command as it arrived, after the platform adapter verified and decoded it.
public struct Invocation: Sendable, Equatable {
    /// The one slash command Vigil registers on every platform; a button press runs as it too.
    public static let incidentCommand = "/incident"

    /// `slack`, `mattermost`, …
    public var platform: String
    public var user: UserRef
    /// The channel name (for display) and ID.
    public var channelName: String
    public var channelID: String
    /// The slash command, e.g. `/incident`.
    public var command: String
    /// Everything after the command, as typed (platform escapes still in place).
    public var text: String
    /// Where later replies may go, if the platform gave one.
    public var responseURL: String?
    /// The platform's request ID (`trigger_id`): a repeat of it is answered from the store.
    public var requestID: String
    /// Whether an ephemeral reply is seen by the person who asked alone. `false` on a platform
    /// with no private replies (Teams answers in the thread, for everyone in it), so the core
    /// renders every reply as a shared view: restricted titles and details hidden even from
    /// people cleared to read them.
    public var repliesArePrivate: Bool
    /// Whether a button press sent it rather than typed text. A press shows the channel no
    /// command text, so its state change may update the message that carried the button, even
    /// on a restricted incident (whose in-channel replies say no more than the channel post).
    public var isButtonPress = false

    /// The platform of an acknowledgement made in PagerDuty and synced back by its webhook.
    public static let pagerPlatform = "pagerduty"

    /// The platform of a case opened or joined through an intake endpoint (`intake:zendesk`);
    /// only the app's signed intake routes act as it, and no chat decoder can.
    public static let intakePlatform = "intake"

    public init(
        platform: String, user: UserRef, channelName: String, channelID: String, command: String, text: String,
        responseURL: String?, requestID: String, repliesArePrivate: Bool = true
    ) {
        self.platform = platform
        self.user = user
        self.channelName = channelName
        self.channelID = channelID
        self.command = command
        self.text = text
        self.responseURL = responseURL
        self.requestID = requestID
        self.repliesArePrivate = repliesArePrivate
    }
}
