/// A plain e-mail address (`ava@example.com`), checked just enough to be safe in SMTP commands
/// and message headers.
///
/// Deliberately minimal: exactly one `@`, a non-empty local part and domain, printable ASCII with
/// no spaces, angle brackets, commas, quotes or line breaks. Whether the mailbox exists is the
/// mail server's business; what matters here is that no address can inject a header or command.
/// Internationalised addresses (SMTPUTF8) are refused.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as given, e.g. `vigil@example.com`.
    public let address: String

    /// Accepts `address` if it has the shape described above.
    ///
    /// - Throws: ``EmailError/invalidAddress(_:reason:)``.
    public init(_ address: String) throws(EmailError) {
        let shown = PagerText.singleLine(address)
        guard !address.isEmpty else { throw .invalidAddress(shown, reason: "it is empty") }
        guard address.utf8.count <= 254 else { throw .invalidAddress(shown, reason: "it is longer than 254 characters") }
        guard address.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidAddress(shown, reason: "only ASCII letters, digits and punctuation are allowed, no spaces or line breaks")
        }
        guard !address.contains(where: { "<>,;\"()[]\\".contains($0) }) else {
            throw .invalidAddress(shown, reason: "it contains one of < > , ; \" ( ) [ ] \\")
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalidAddress(shown, reason: "it must contain exactly one @") }
        guard !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .invalidAddress(shown, reason: "it needs a name before the @ and a domain after it")
        }
        self.address = address
    }

    /// The part after `@`, e.g. `example.com`: used for Message-ID.
    public var domain: String {
        String(address[address.index(after: address.firstIndex(of: "@")!)...])
    }

    public var description: String { address }
}

/// Why an e-mail could not be rendered. Configuration or data mistakes, never retryable.
public enum EmailError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An address was refused; `reason` says why.
    case invalidAddress(String, reason: String)
    /// A message needs at least one recipient.
    case noRecipients

    public var description: String {
        switch self {
        case .invalidAddress(let address, let reason): "invalid e-mail address \"\(address)\": \(reason)"
        case .noRecipients: "an e-mail needs at least one recipient"
        }
    }
}
