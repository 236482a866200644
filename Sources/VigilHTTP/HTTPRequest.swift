/// One header field of a request or response.
///
/// A struct rather than a `(String, String)` tuple so that header lists are `Sendable`,
/// `Hashable` and readable in test failures.
public struct HTTPHeader: Sendable, Hashable {
    /// The field name, e.g. `Content-Type`. Responses carry it lowercased.
    public var name: String
    /// The field value, without surrounding whitespace.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Creates a header field: `HTTPHeader("Content-Type", "application/json")`.
    public init(_ name: String, _ value: String) {
        self.init(name: name, value: value)
    }
}

/// An outbound HTTP request, as the outbox delivery and the chat adapters describe it.
///
/// Plain data: building one performs no I/O and no validation; ``CurlHTTPClient`` refuses a
/// malformed one (bad method, header injection, non-HTTP scheme) with an ``HTTPClientError``.
public struct HTTPRequest: Sendable, Hashable {
    /// The request method, e.g. `"GET"` or `"POST"`.
    public var method: String
    /// The absolute `http` or `https` URL. Treat it as a secret: webhook URLs carry credentials.
    public var url: String
    /// Header fields sent in this order. A `User-Agent` here replaces the client's default.
    public var headers: [HTTPHeader]
    /// The request body; empty for none.
    public var body: [UInt8]
    /// The longest the whole exchange (connect, send, receive) may take.
    public var timeout: Duration
    /// The longest the connection set-up (DNS, TCP, TLS) may take; never more than ``timeout``.
    public var connectTimeout: Duration

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - method: `"GET"`, `"POST"`, …
    ///   - url: absolute `http` or `https` URL.
    ///   - headers: header fields, sent in this order.
    ///   - body: the request body; empty for none.
    ///   - timeout: limit for the whole exchange (default 10 s).
    ///   - connectTimeout: limit for connecting (default 5 s, capped at `timeout`).
    public init(
        method: String,
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8] = [],
        timeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(5)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// A `GET` request.
    public static func get(
        _ url: String,
        headers: [HTTPHeader] = [],
        timeout: Duration = .seconds(10)
    ) -> HTTPRequest {
        HTTPRequest(method: "GET", url: url, headers: headers, timeout: timeout)
    }

    /// A `POST` request with `body`.
    public static func post(
        _ url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8],
        timeout: Duration = .seconds(10)
    ) -> HTTPRequest {
        HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout)
    }
}
