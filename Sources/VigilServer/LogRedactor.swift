import Foundation
import Logging

/// Replaces configured secrets with `[redacted]` in log text: the last line of defence, so a
/// token that reaches a message or a metadata value by mistake (an error quoting a URL, a
/// library echoing its configuration) never reaches the log.
public struct LogRedactor: Sendable {
    /// What a secret becomes.
    public static let mark = "[redacted]"

    /// Longest first, so a secret that contains another is replaced whole.
    let secrets: [String]

    /// `secrets` as ``VigilConfig/VigilConfiguration/secrets`` lists them; empty ones are ignored.
    public init(secrets: [String]) {
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.mark)
        }
        return text
    }

    /// `value` with every string in it redacted; a string-convertible value becomes its redacted
    /// description.
    public func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case let .string(text): .string(redact(text))
        case let .stringConvertible(convertible): .string(redact(convertible.description))
        case let .array(values): .array(values.map(redact))
        case let .dictionary(members): .dictionary(members.mapValues(redact))
        }
    }

    public func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(redact)
    }
}
