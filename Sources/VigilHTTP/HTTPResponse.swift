import CCurl
import Foundation

/// A final HTTP response: any status counts as a response, including 4xx and 5xx.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code, e.g. 200, 429, 500.
    public var status: Int
    /// Header fields in the order received, names lowercased.
    public var headers: [HTTPHeader]
    /// The response body, at most the client's body cap (see ``bodyTruncated``).
    public var body: [UInt8]
    /// True when the server sent more than the client's body cap and the rest was not read.
    public var bodyTruncated: Bool

    /// Creates a response; header names are lowercased here so fakes behave like the live client.
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = [], bodyTruncated: Bool = false) {
        self.status = status
        self.headers = headers.map { HTTPHeader(name: $0.name.lowercased(), value: $0.value) }
        self.body = body
        self.bodyTruncated = bodyTruncated
    }

    /// The value of the first header field called `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }

    /// The body decoded as UTF-8, with invalid sequences replaced.
    public var text: String {
        String(decoding: body, as: UTF8.self)
    }

    /// True for a 2xx status.
    public var isSuccess: Bool {
        (200..<300).contains(status)
    }

    /// How long the server asks the caller to wait, from `Retry-After` (RFC 9110 §10.2.3).
    ///
    /// Accepts delta-seconds (`120`) and an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, also the
    /// obsolete RFC 850 and asctime forms), the latter measured from `now`. A date in the past
    /// gives `.zero`. Nil when the header is absent or unreadable.
    public func retryAfter(now: Date) -> Duration? {
        guard let raw = header("retry-after") else { return nil }
        return RetryAfter.parse(raw, now: now)
    }
}

enum RetryAfter {
    /// Caps absurd values so callers' arithmetic on the result never overflows.
    static let maximumSeconds: Int64 = 366 * 24 * 3600

    static func parse(_ raw: String, now: Date) -> Duration? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Int64(...) fails on overflow; an absurdly long digit string is still "a long time".
            let seconds = Int64(value) ?? maximumSeconds
            return .seconds(min(seconds, maximumSeconds))
        }
        // A date must name a weekday or month; curl_getdate alone would also accept e.g. "12:00".
        guard value.contains(where: \.isLetter) else { return nil }
        // curl_getdate understands all three HTTP-date forms and needs no shared state.
        let epochSeconds = curl_getdate(value, nil)
        guard epochSeconds != -1 else { return nil }
        let delay = Date(timeIntervalSince1970: TimeInterval(epochSeconds)).timeIntervalSince(now)
        guard delay > 0 else { return .zero }
        let milliseconds = min(Int64((delay * 1000).rounded(.up)), maximumSeconds * 1000)
        return .milliseconds(milliseconds)
    }
}
