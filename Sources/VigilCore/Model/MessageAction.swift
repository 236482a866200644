/// A button on a message. Pressing it runs `command` exactly as if the presser had typed
/// `/incident <command>`: the same parser, the same role check, the same refusals and the same
/// idempotency on the platform's interaction id. A button therefore carries nothing but the
/// command text, which names the incident by ID only, so it is safe on a restricted incident.
public struct MessageAction: Sendable, Equatable {
    /// How a platform that styles buttons shows this one.
    public enum Style: String, Sendable, Equatable {
        /// The action the message is mainly about (Ack on an alert).
        case primary
        /// An action that ends or raises something (Resolve, Escalate).
        case danger
        /// Anything else.
        case plain
    }

    /// A short, stable word for the button, unique within its message (`ack`, `resolve`,
    /// `step-done-2`): platforms that key buttons by id use it.
    public var name: String
    /// What the button says: `Ack`, `Step done`.
    public var label: String
    /// The command it runs, without `/incident`: `ack INC-42`.
    public var command: String
    public var style: Style
    /// When the command still needs free text the button cannot know (Resolve's resolution),
    /// the question to ask for it. A platform that can show a form asks it and appends the
    /// answer to `command`; elsewhere the press runs `command` as it stands, and the parser's
    /// refusal tells the presser what to type.
    public var asks: String?

    public init(name: String, label: String, command: String, style: Style = .plain, asks: String? = nil) {
        self.name = name
        self.label = label
        self.command = command
        self.style = style
        self.asks = asks
    }
}
