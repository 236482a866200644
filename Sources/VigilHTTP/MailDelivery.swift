/// One e-mail to hand to an SMTP server, as the outbox delivery describes it.
///
/// Plain data; ``CurlMailClient`` refuses a malformed one (bad URL, line breaks in an address,
/// credentials in the URL) with a ``MailClientError`` before connecting. Its descriptions never
/// show the password.
public struct MailDelivery: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// How much TLS to insist on for `smtp://` URLs (`smtps://` is TLS from the first byte).
    public enum Security: Sendable, Hashable {
        /// Upgrade with STARTTLS when the server offers it, else send in clear.
        case opportunistic
        /// Upgrade with STARTTLS or fail: a stripped STARTTLS must not expose a password.
        case required
    }

    /// `smtp://host:port` (STARTTLS per ``security``) or `smtps://host:port` (implicit TLS).
    public var url: String
    /// The envelope sender (`MAIL FROM`), e.g. `vigil@example.com`.
    public var from: String
    /// The envelope recipients (`RCPT TO`); all must be accepted or nothing is sent.
    public var recipients: [String]
    /// The rendered RFC 5322 message with CRLF line endings; dot-stuffing is libcurl's job.
    public var message: [UInt8]
    /// The SMTP AUTH user, if the server needs one.
    public var username: String?
    /// The SMTP AUTH password. Never logged, never part of an error.
    public var password: String?
    /// TLS policy for `smtp://`.
    public var security: Security
    /// The longest the whole exchange may take.
    public var timeout: Duration
    /// The longest connecting (DNS, TCP, TLS) may take; never more than ``timeout``.
    public var connectTimeout: Duration

    /// Creates a delivery.
    ///
    /// - Parameter security: defaults to ``Security/required`` when a username or password is
    ///   given (credentials never travel in clear), else ``Security/opportunistic``.
    public init(
        url: String,
        from: String,
        recipients: [String],
        message: [UInt8],
        username: String? = nil,
        password: String? = nil,
        security: Security? = nil,
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10)
    ) {
        self.url = url
        self.from = from
        self.recipients = recipients
        self.message = message
        self.username = username
        self.password = password
        self.security = security ?? (username != nil || password != nil ? .required : .opportunistic)
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// `mail from vigil@example.com to 2 recipients via smtp://mail.example.com:587`.
    public var description: String {
        "mail from \(from) to \(recipients.count) recipient(s) via \(URLRedaction.origin(of: url))"
    }

    /// Same as ``description``: no password, no URL user info.
    public var debugDescription: String {
        "MailDelivery(\(description), \(message.count) bytes, auth: \(username == nil ? "no" : "yes"))"
    }
}

/// The port through which Vigil sends e-mail pages.
///
/// ``CurlMailClient`` is the live implementation; tests use it against a local SMTP sink or
/// substitute a recording fake.
public protocol MailTransport: Sendable {
    /// Hands `mail` to the SMTP server; returns once the server accepted it for delivery.
    ///
    /// - Throws: ``MailClientError`` (see ``MailClientError/isRetryable``), or
    ///   `CancellationError` when the calling task was cancelled first.
    func send(_ mail: MailDelivery) async throws
}
