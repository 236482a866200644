import CCurl

/// An e-mail that was not accepted by the SMTP server, or not sent at all.
///
/// Safe to log: it holds neither the password nor the username nor URL user info, only
/// `scheme://host[:port]` (``redactedURL``) and libcurl's explanation with those removed.
public struct MailClientError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, coarse enough to decide whether to retry.
    public enum Kind: Sendable, Hashable {
        /// Refused before connecting: bad URL or scheme, line break in an address, no recipients.
        case invalidRequest
        /// The host name could not be resolved.
        case couldNotResolveHost
        /// No connection could be made (refused, unreachable).
        case couldNotConnect
        /// The timeout or connect timeout expired.
        case timedOut
        /// TLS failed, or TLS was required and the server offers no STARTTLS.
        case tls
        /// The server refused the credentials (SMTP 535 and friends).
        case loginDenied
        /// The server refused permanently (an SMTP 5xx reply: unknown recipient, policy).
        case rejected
        /// The server refused for now (an SMTP 4xx reply: greylisting, mailbox busy, quota).
        case deferred
        /// The connection failed while talking.
        case transfer
        /// libcurl could not be set up.
        case setup

        /// Whether sending the same mail again later may succeed.
        public var isRetryable: Bool {
            switch self {
            case .couldNotResolveHost, .couldNotConnect, .timedOut, .deferred, .transfer: true
            case .invalidRequest, .tls, .loginDenied, .rejected, .setup: false
            }
        }
    }

    /// The coarse category.
    public let kind: Kind
    /// libcurl's `CURLcode`; `CURLE_BAD_FUNCTION_ARGUMENT` (43) for mail refused before curl saw it.
    public let code: Int
    /// The server's last SMTP reply code (e.g. 550), when one was received.
    public let smtpStatus: Int?
    /// libcurl's explanation with any URL, user name and password removed.
    public let message: String
    /// The server URL reduced to `scheme://host[:port]`.
    public let redactedURL: String

    /// Whether sending the same mail again later may succeed.
    public var isRetryable: Bool { kind.isRetryable }

    /// Creates an error; `message` is scrubbed of `url` and of `secrets` here.
    public init(kind: Kind, code: Int, smtpStatus: Int? = nil, message: String, url: String, secrets: [String] = []) {
        self.kind = kind
        self.code = code
        self.smtpStatus = smtpStatus
        self.redactedURL = URLRedaction.origin(of: url)
        var scrubbed = URLRedaction.scrub(message, url: url)
        for secret in secrets where !secret.isEmpty {
            scrubbed = scrubbed.replacing(secret, with: "…")
        }
        self.message = scrubbed
    }

    /// `SMTP to smtp://mail.example.com:587 failed: RCPT failed: 550 (SMTP 550, curl 55)`.
    public var description: String {
        let status = smtpStatus.map { "SMTP \($0), " } ?? ""
        return "SMTP to \(redactedURL) failed: \(message) (\(status)curl \(code))"
    }

    /// Same as ``description``: `String(reflecting:)` must not reveal more than `"\(error)"`.
    public var debugDescription: String {
        "MailClientError(kind: \(kind), \(description))"
    }
}

extension MailClientError {
    /// The one place where a `CURLcode` (plus the last SMTP reply) becomes a mail error.
    static func from(
        _ code: CURLcode,
        smtpStatus: Int?,
        detail: String,
        delivery: MailDelivery
    ) -> MailClientError {
        let summary = String(cString: curl_easy_strerror(code))
        return MailClientError(
            kind: kind(of: code, smtpStatus: smtpStatus),
            code: Int(code.rawValue),
            smtpStatus: smtpStatus,
            message: detail.isEmpty ? summary : detail,
            url: delivery.url,
            secrets: [delivery.password, delivery.username].compactMap { $0 }
        )
    }

    /// Mail Vigil refuses before handing it to curl.
    static func invalid(_ message: String, delivery: MailDelivery) -> MailClientError {
        MailClientError(
            kind: .invalidRequest,
            code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue),
            message: message,
            url: delivery.url,
            secrets: [delivery.password, delivery.username].compactMap { $0 }
        )
    }

    static func kind(of code: CURLcode, smtpStatus: Int?) -> Kind {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT,
            CURLE_UNKNOWN_OPTION, CURLE_NOT_BUILT_IN:
            return .invalidRequest
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldNotResolveHost
        case CURLE_COULDNT_CONNECT:
            return .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_LOGIN_DENIED:
            return .loginDenied
        case CURLE_USE_SSL_FAILED, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CLIENTCERT, CURLE_SSL_SHUTDOWN_FAILED:
            return .tls
        case CURLE_FAILED_INIT, CURLE_OUT_OF_MEMORY:
            return .setup
        default:
            // libcurl reports a refused MAIL/RCPT/DATA as CURLE_SEND_ERROR and a refused message
            // as CURLE_WEIRD_SERVER_REPLY; the SMTP reply code says whether it was for good.
            switch smtpStatus {
            case .some(500..<600): return .rejected
            case .some(400..<500): return .deferred
            default: return .transfer
            }
        }
    }
}
