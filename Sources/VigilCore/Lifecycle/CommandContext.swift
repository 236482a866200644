import Foundation

/// Who is acting, where and when: everything a handler needs besides the incident itself.
public struct CommandContext: Sendable {
    public var policy: Policy
    /// The moment the command is applied; the core never reads the clock itself.
    public var now: Date
    public var actor: UserRef
    public var platform: String
    public var channel: String
    /// The installed playbooks.
    public var catalog: PlaybookCatalog
    /// Whether a private (ephemeral) reply reaches the actor alone. When it does not (Teams), a
    /// private view is shown to the whole thread, so it is rendered as a shared one: a
    /// restricted incident's title and details stay hidden even from a cleared actor.
    public var repliesArePrivate: Bool
    /// Whether a button press, not typed text, sent the command (``Invocation/isButtonPress``).
    public var isButtonPress = false

    public init(
        policy: Policy, now: Date, actor: UserRef, platform: String, channel: String, catalog: PlaybookCatalog = PlaybookCatalog(),
        repliesArePrivate: Bool = true
    ) {
        self.policy = policy
        self.now = now
        // The actor's platform is the one the command came from: decoders set it, and a
        // reference without one (tests, old callers) is qualified here so that identities hold.
        self.actor = actor.on(platform)
        self.platform = platform
        self.channel = channel
        self.catalog = catalog
        self.repliesArePrivate = repliesArePrivate
    }

    /// The command is an acknowledgement made in a pager service (PagerDuty), which reached Vigil
    /// through a signed webhook: only the app's webhook route creates invocations on
    /// ``Invocation/pagerPlatform``, and no chat decoder can.
    public var isPagerAcknowledgement: Bool { platform == Invocation.pagerPlatform }

    /// The command comes from an intake endpoint (Zendesk, the generic webhook), vouched for by
    /// its signature rather than by a person: see ``Authorization/intakeMay(_:)``.
    public var isIntake: Bool { platform == Invocation.intakePlatform }

    var text: IncidentText { IncidentText(policy: policy, now: now, repliesArePrivate: repliesArePrivate) }
}

/// What an accepted mutation produces: the new projection, its events, the channel posts and
/// the reply. The app commits all of it in one store transaction.
public struct Outcome: Sendable, Equatable {
    public var incident: Incident
    /// The incident's last sequence number before the command (0 for a new incident).
    public var expectedSequence: Int
    public var events: [IncidentEvent]
    public var outbox: [OutboxItem]
    public var reply: Reply
    /// Clock rows started, stopped or cancelled by the command.
    public var clocks: [ClockRow]

    public init(
        incident: Incident, expectedSequence: Int, events: [IncidentEvent], outbox: [OutboxItem], reply: Reply, clocks: [ClockRow] = []
    ) {
        self.incident = incident
        self.expectedSequence = expectedSequence
        self.events = events
        self.outbox = outbox
        self.reply = reply
        self.clocks = clocks
    }
}
