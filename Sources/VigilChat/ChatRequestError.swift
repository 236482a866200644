/// Why an inbound chat request was refused before anything was parsed or written.
///
/// The server maps `unauthorized` to 401 and `malformed` to 400, with `reason` as the short body.
public struct ChatRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request is not provably from the platform: bad or missing signature, token or timestamp.
        case unauthorized
        /// The body is not what the platform sends.
        case malformed
    }

    public var kind: Kind
    /// A short reason, safe to return to the caller and to log (never a secret).
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }
}
