/// The port through which Vigil sends outbound HTTP (webhook posts, chat API calls).
///
/// ``CurlHTTPClient`` is the live implementation; tests substitute fakes that record requests
/// and return canned responses.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the server's final response, whatever its status.
    ///
    /// - Throws: ``HTTPClientError`` when no response was received (DNS, connect, TLS, timeout,
    ///   invalid request), or `CancellationError` when the calling task was cancelled first.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
