import CCurl
import Synchronization

/// Settings every transfer on a handle starts from, re-applied after each `curl_easy_reset`.
struct CurlDefaults: Sendable {
    var userAgent: String
    var followRedirects: Bool
    var maxResponseBodyBytes: Int
}

/// Set from any thread to abort a transfer; read by curl's progress callback on the lane.
final class CancelFlag: Sendable {
    private let storage = Atomic<Bool>(false)

    func set() { storage.store(true, ordering: .releasing) }

    var isSet: Bool { storage.load(ordering: .acquiring) }
}

/// What a transfer ended with when curl itself did not fail.
enum TransferOutcome {
    case response(HTTPResponse)
    /// The caller's task was cancelled and the progress callback aborted the transfer.
    case cancelled
}

/// Owns one libcurl easy handle and the buffers curl keeps pointers into.
///
/// Not thread-safe: one lane drives it, one transfer at a time. Keeping the handle across
/// transfers is what keeps connections (and TLS sessions, DNS entries) alive for reuse.
final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    /// curl writes its detailed message here during a failed transfer (CURLOPT_ERRORBUFFER).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let defaults: CurlDefaults

    /// Nil when libcurl cannot be initialised or allocate a handle.
    init?(defaults: CurlDefaults) {
        guard CurlGlobal.initResult == CURLE_OK, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.defaults = defaults
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one transfer to completion on the calling thread (blocking).
    func perform(_ request: HTTPRequest, cancel: CancelFlag) throws(HTTPClientError) -> TransferOutcome {
        let url = request.url
        errorBuffer[0] = 0
        try RequestValidation.validate(request)

        // Reset first so nothing from the previous request (method, body, headers) carries over;
        // reset keeps the connection cache, so keep-alive survives.
        curl_easy_reset(handle)
        try applyDefaults(url: url)

        try set(CURLOPT_URL, request.url, url: url)
        try set(CURLOPT_TIMEOUT_MS, Milliseconds.curlTimeout(request.timeout), url: url)
        try set(
            CURLOPT_CONNECTTIMEOUT_MS,
            Milliseconds.curlTimeout(min(request.connectTimeout, request.timeout)),
            url: url
        )

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // Runs before the list is freed: the idle handle keeps no pointer into this transfer's
        // header list, body or callback context.
        defer { curl_easy_reset(handle) }
        // Without this curl sends "Expect: 100-continue" for bodies over 1 KiB and waits up to
        // a second for a go-ahead many webhook endpoints never send.
        let hasExpect = request.headers.contains { $0.name.lowercased() == "expect" }
        let lines = request.headers.map(\.curlLine) + (hasExpect ? [] : ["Expect:"])
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPClientError.from(CURLE_OUT_OF_MEMORY, url: url)
            }
            headerList = appended
        }
        try check(vigil_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), url: url)

        let context = TransferContext(maxBodyBytes: defaults.maxResponseBodyBytes, cancel: cancel)
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        try check(vigil_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody), url: url)
        try check(vigil_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, contextPointer), url: url)
        try check(vigil_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader), url: url)
        try check(vigil_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, contextPointer), url: url)
        try check(vigil_curl_setopt_xferinfo_callback(handle, curlProgress), url: url)
        try check(vigil_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, contextPointer), url: url)
        try set(CURLOPT_NOPROGRESS, 0, url: url)

        // curl keeps a pointer to the body (CURLOPT_POSTFIELDS) rather than copying it, so the
        // whole transfer runs inside this closure; a 1-byte stand-in keeps the pointer non-nil
        // for an empty body (a nil POSTFIELDS would make curl read the body from stdin).
        let payload = request.body.isEmpty ? [0] : request.body
        let performed: Result<CURLcode, HTTPClientError> = withExtendedLifetime(context) {
            payload.withUnsafeBytes { bytes in
                do throws(HTTPClientError) {
                    try applyMethod(request, body: bytes, url: url)
                } catch {
                    return .failure(error)
                }
                errorBuffer[0] = 0
                return .success(curl_easy_perform(handle))
            }
        }
        let code = try performed.get()

        if code == CURLE_ABORTED_BY_CALLBACK, cancel.isSet {
            return .cancelled
        }
        // The write callback refuses bytes past the cap; what arrived before it is the answer.
        if !(code == CURLE_WRITE_ERROR && context.bodyTruncated) {
            try check(code, url: url)
        }
        var status = 0
        try check(vigil_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), url: url)
        if status == 0 {
            throw HTTPClientError.from(CURLE_WEIRD_SERVER_REPLY, detail: "no HTTP status received", url: url)
        }
        return .response(
            HTTPResponse(
                status: status,
                headers: context.headers,
                body: context.body,
                bodyTruncated: context.bodyTruncated
            )
        )
    }

    private func applyDefaults(url: String) throws(HTTPClientError) {
        try check(vigil_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), url: url)
        // Signals are process-wide; with several lanes curl must not use them for DNS timeouts.
        try set(CURLOPT_NOSIGNAL, 1, url: url)
        // A webhook URL from config must never become file:// or gopher://.
        try set(CURLOPT_PROTOCOLS_STR, "http,https", url: url)
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https", url: url)
        try set(CURLOPT_FOLLOWLOCATION, defaults.followRedirects ? 1 : 0, url: url)
        try set(CURLOPT_MAXREDIRS, 5, url: url)
        try set(CURLOPT_SSL_VERIFYPEER, 1, url: url)
        try set(CURLOPT_SSL_VERIFYHOST, 2, url: url)
        try set(CURLOPT_TCP_KEEPALIVE, 1, url: url)
        try set(CURLOPT_USERAGENT, defaults.userAgent, url: url)
    }

    private func applyMethod(
        _ request: HTTPRequest,
        body: UnsafeRawBufferPointer,
        url: String
    ) throws(HTTPClientError) {
        let bodyPointer = UnsafeMutableRawPointer(mutating: body.baseAddress)
        switch request.method {
        case "GET":
            try set(CURLOPT_HTTPGET, 1, url: url)
        case "HEAD":
            try set(CURLOPT_NOBODY, 1, url: url)
        case "POST":
            try set(CURLOPT_POST, 1, url: url)
            try set(CURLOPT_POSTFIELDSIZE, request.body.count, url: url)
            try check(vigil_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, bodyPointer), url: url)
        default:
            try set(CURLOPT_CUSTOMREQUEST, request.method, url: url)
            if !request.body.isEmpty {
                try set(CURLOPT_POSTFIELDSIZE, request.body.count, url: url)
                try check(vigil_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, bodyPointer), url: url)
            }
        }
    }

    private func set(_ option: CURLoption, _ value: Int, url: String) throws(HTTPClientError) {
        try check(vigil_curl_setopt_long(handle, option, value), url: url)
    }

    /// curl copies string options (since 7.17), so the C string need only live for the call.
    private func set(_ option: CURLoption, _ value: String, url: String) throws(HTTPClientError) {
        try check(vigil_curl_setopt_string(handle, option, value), url: url)
    }

    private func check(_ code: CURLcode, url: String) throws(HTTPClientError) {
        guard code != CURLE_OK else { return }
        throw HTTPClientError.from(code, detail: String(cString: errorBuffer), url: url)
    }
}

/// Per-transfer state shared with the C callbacks through an `Unmanaged` pointer.
private final class TransferContext {
    let maxBodyBytes: Int
    let cancel: CancelFlag
    var body: [UInt8] = []
    var bodyTruncated = false
    var headers: [HTTPHeader] = []

    init(maxBodyBytes: Int, cancel: CancelFlag) {
        self.maxBodyBytes = maxBodyBytes
        self.cancel = cancel
    }

    /// Returns the number of bytes taken; fewer than offered makes curl stop with CURLE_WRITE_ERROR.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        let room = maxBodyBytes - body.count
        if bytes.count > room {
            body.append(contentsOf: bytes.prefix(max(room, 0)))
            bodyTruncated = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// curl hands over one complete header line per call, including the status line and CRLF.
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new status line starts a new header block (after 100 Continue or a redirect);
            // only the final response's headers are reported.
            headers.removeAll()
            return
        }
        let trimmed = line.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return }
        if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
            // Obsolete line folding: the line continues the previous field's value.
            headers[headers.count - 1].value += " " + trimmed
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].trimmingASCIIWhitespace().lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmingASCIIWhitespace()
        headers.append(HTTPHeader(name: name, value: value))
    }
}

private func curlWriteBody(
    data: UnsafeMutablePointer<CChar>?,
    size: Int,
    count: Int,
    context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private func curlWriteHeader(
    data: UnsafeMutablePointer<CChar>?,
    size: Int,
    count: Int,
    context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

/// Non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK); curl calls this at least once a second.
private func curlProgress(
    context: UnsafeMutableRawPointer?,
    downloadTotal: curl_off_t,
    downloadNow: curl_off_t,
    uploadTotal: curl_off_t,
    uploadNow: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    return transfer.cancel.isSet ? 1 : 0
}

/// libcurl's process-wide initialisation.
enum CurlGlobal {
    /// Swift runs a global's initialiser exactly once, thread-safely, before first use.
    static let initResult: CURLcode = vigil_curl_global_init_default()
}

enum Milliseconds {
    /// Whole milliseconds, rounded up and at least 1: curl reads 0 as "no timeout at all".
    static func curlTimeout(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 1 }
        guard seconds < Int64(Int.max / 1000) - 1 else { return Int.max / 1000 }
        let millis = Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        return max(millis, 1)
    }
}

enum RequestValidation {
    /// Refuses what would let a request smuggle extra headers or reach a non-HTTP scheme.
    static func validate(_ request: HTTPRequest) throws(HTTPClientError) {
        let url = request.url
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw .invalidRequest("only http and https URLs are allowed", url: url)
        }
        guard !url.contains(where: { $0.isNewline || $0 == " " || $0 == "\0" }) else {
            throw .invalidRequest("URL contains whitespace or control characters", url: url)
        }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw .invalidRequest("invalid method", url: url)
        }
        if request.method == "GET" || request.method == "HEAD", !request.body.isEmpty {
            throw .invalidRequest("\(request.method) with a body", url: url)
        }
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(isTokenByte) else {
                throw .invalidRequest("invalid header name", url: url)
            }
            guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalidRequest("header \(header.name) contains a line break", url: url)
            }
        }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension HTTPHeader {
    /// The line handed to CURLOPT_HTTPHEADER; `Name;` is curl's spelling for an empty value
    /// (`Name:` would delete the header instead).
    fileprivate var curlLine: String {
        value.isEmpty ? "\(name);" : "\(name): \(value)"
    }
}

extension StringProtocol {
    fileprivate func trimmingASCIIWhitespace() -> String {
        // "\r\n" is one Character, hence isNewline rather than comparing with "\r" and "\n".
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
