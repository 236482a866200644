/// A refusal the chat user sees: what was wrong, specifically, and the usage to get it right.
///
/// Shown ephemerally; a command that throws one changes nothing.
public struct UserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in one or two sentences.
    public var message: String
    /// The usage line of the subcommand involved, without `/incident`, if one applies.
    public var usage: String?

    public init(_ message: String, usage: String? = nil) {
        self.message = message
        self.usage = usage
    }

    public var description: String {
        usage.map { "\(message)\nUsage: /incident \($0)" } ?? message
    }

    /// The refusal as an ephemeral reply.
    public var reply: Reply {
        var lines: [[Span]] = [[.text(message)]]
        if let usage { lines.append([.text("Usage: "), .code("/incident \(usage)")]) }
        return Reply(.ephemeral, Message(lines: lines))
    }
}
