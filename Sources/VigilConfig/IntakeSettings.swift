import VigilCore

/// `intake:` — cases other tools send: Zendesk webhooks (`POST /intake/zendesk`) and the generic
/// Standard Webhooks endpoint (`POST /intake/webhook`). An endpoint exists only when configured.
public struct IntakeSettings: Sendable, Equatable {
    /// `intake.zendesk`.
    public var zendesk: ZendeskIntakeSettings?
    /// `intake.webhook`.
    public var webhook: WebhookIntakeSettings?

    public init(zendesk: ZendeskIntakeSettings? = nil, webhook: WebhookIntakeSettings? = nil) {
        self.zendesk = zendesk
        self.webhook = webhook
    }
}

/// `intake.zendesk: {secret: …, map: {…}, after_resolve: reopen|new}`.
public struct ZendeskIntakeSettings: Sendable, Equatable {
    /// The webhook's signing secrets: one, or several while rotating (any one verifies). Never
    /// logged.
    public var secrets: [String]
    /// Ticket fields to type or category and severity.
    public var map: IntakeMap
    public var afterResolve: IntakeAfterResolve
    /// Where each map rule's `type:` (or `category:`) was written, for `vigil check` to say
    /// which word no playbook or category knows.
    public var kindLocations: [(word: String, field: String, location: SourceLocation)] = []

    public init(secrets: [String], map: IntakeMap, afterResolve: IntakeAfterResolve = .reopen) {
        self.secrets = secrets
        self.map = map
        self.afterResolve = afterResolve
    }

    public static func == (a: ZendeskIntakeSettings, b: ZendeskIntakeSettings) -> Bool {
        a.secrets == b.secrets && a.map == b.map && a.afterResolve == b.afterResolve
    }
}

/// `intake.webhook: {secret: whsec_…, after_resolve: reopen|new}`.
public struct WebhookIntakeSettings: Sendable, Equatable {
    /// `whsec_<base64>` secrets: one, or several while rotating. Never logged.
    public var secrets: [String]
    public var afterResolve: IntakeAfterResolve

    public init(secrets: [String], afterResolve: IntakeAfterResolve = .reopen) {
        self.secrets = secrets
        self.afterResolve = afterResolve
    }
}
