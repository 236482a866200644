import CCurl

/// A request that produced no HTTP response: refused before sending, or failed in libcurl.
///
/// Safe to log: it never holds the request's full URL. Webhook URLs carry their credential in
/// the path, so only `scheme://host[:port]` is kept (``redactedURL``).
public struct HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible,
    CustomDebugStringConvertible
{
    /// What went wrong, coarse enough to decide whether to retry.
    public enum Kind: Sendable, Hashable {
        /// The request was refused before sending: bad URL, scheme, method or header.
        case invalidRequest
        /// The host name could not be resolved.
        case couldNotResolveHost
        /// No connection could be made (refused, unreachable).
        case couldNotConnect
        /// The request's timeout or connect timeout expired.
        case timedOut
        /// TLS failed: handshake, certificate or host name verification.
        case tls
        /// The connection failed while sending or receiving.
        case transfer
        /// libcurl could not be set up (out of memory, global init failed).
        case setup

        /// Whether sending the same request again later may succeed.
        public var isRetryable: Bool {
            switch self {
            case .invalidRequest, .setup, .tls: false
            case .couldNotResolveHost, .couldNotConnect, .timedOut, .transfer: true
            }
        }
    }

    /// The coarse category of ``code``.
    public let kind: Kind
    /// libcurl's `CURLcode`; `CURLE_BAD_FUNCTION_ARGUMENT` (43) for requests refused before curl saw them.
    public let code: Int
    /// libcurl's explanation (its error buffer when set, else `curl_easy_strerror`), URL path removed.
    public let message: String
    /// The request URL reduced to `scheme://host[:port]`; the path and query are secrets.
    public let redactedURL: String

    /// Creates an error; `url` is redacted here, and any copy of its path in `message` removed.
    public init(kind: Kind, code: Int, message: String, url: String) {
        self.kind = kind
        self.code = code
        self.redactedURL = URLRedaction.origin(of: url)
        self.message = URLRedaction.scrub(message, url: url)
    }

    /// `HTTP request to https://hooks.slack.com failed: Timeout was reached (curl 28)`.
    public var description: String {
        "HTTP request to \(redactedURL) failed: \(message) (curl \(code))"
    }

    /// Same as ``description``: `String(reflecting:)` must not reveal more than `"\(error)"`.
    public var debugDescription: String {
        "HTTPClientError(kind: \(kind), \(description))"
    }
}

extension HTTPClientError {
    /// The one place where a `CURLcode` becomes a Swift error.
    ///
    /// - Parameters:
    ///   - code: what curl returned (not `CURLE_OK`).
    ///   - detail: curl's error buffer for this transfer, when it said more than the code.
    ///   - url: the request URL (redacted before it is stored).
    static func from(_ code: CURLcode, detail: String = "", url: String) -> HTTPClientError {
        let summary = String(cString: curl_easy_strerror(code))
        return HTTPClientError(
            kind: kind(of: code),
            code: Int(code.rawValue),
            message: detail.isEmpty ? summary : detail,
            url: url
        )
    }

    /// A request Vigil refuses before handing it to curl.
    static func invalidRequest(_ message: String, url: String) -> HTTPClientError {
        HTTPClientError(
            kind: .invalidRequest,
            code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue),
            message: message,
            url: url
        )
    }

    private static func kind(of code: CURLcode) -> Kind {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT,
            CURLE_UNKNOWN_OPTION, CURLE_NOT_BUILT_IN:
            .invalidRequest
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            .couldNotResolveHost
        case CURLE_COULDNT_CONNECT:
            .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CLIENTCERT, CURLE_SSL_SHUTDOWN_FAILED:
            .tls
        case CURLE_FAILED_INIT, CURLE_OUT_OF_MEMORY:
            .setup
        default:
            .transfer
        }
    }
}

enum URLRedaction {
    /// `scheme://host[:port]` of `url`, dropping user info, path, query and fragment.
    static func origin(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "<invalid URL>" }
        let scheme = url[..<schemeEnd.lowerBound]
        let rest = url[schemeEnd.upperBound...]
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        return "\(scheme)://\(authority)"
    }

    /// `message` with every occurrence of `url`, or of its path and query, replaced by the origin.
    static func scrub(_ message: String, url: String) -> String {
        guard !url.isEmpty else { return message }
        var scrubbed = message.replacing(url, with: origin(of: url))
        let secret = secretPart(of: url)
        if secret.count > 1 {
            scrubbed = scrubbed.replacing(secret, with: "/…")
        }
        return scrubbed
    }

    private static func secretPart(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        guard let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else {
            return ""
        }
        return String(rest[pathStart...])
    }
}
