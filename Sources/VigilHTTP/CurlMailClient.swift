import CCurl
import Dispatch
import Synchronization

/// The live ``MailTransport``: SMTP through libcurl.
///
/// Like ``CurlHTTPClient``, transfers block, so they never run on Swift's cooperative pool: the
/// client owns a few *lanes*, each a serial `DispatchQueue` with its own curl handle, and mails
/// are spread over them in turn. libcurl speaks ESMTP, STARTTLS, AUTH, dot-stuffs the message
/// and ends `DATA`; only `smtp` and `smtps` URLs are accepted and certificates are verified.
public final class CurlMailClient: MailTransport {
    /// Serial queues, used in turn, each with its own curl handle.
    private let lanes: [MailLane]
    private let nextLane = Atomic<UInt>(0)

    /// Creates a client with `laneCount` lanes (at least 1); curl handles are made on first use.
    public init(laneCount: Int = 2) {
        lanes = (0..<max(1, laneCount)).map(MailLane.init(index:))
    }

    /// Sends `mail` on a lane and suspends (without blocking a thread) until the server answered.
    ///
    /// Cancelling the calling task aborts the transfer within about a second with `CancellationError`.
    public func send(_ mail: MailDelivery) async throws {
        try Task.checkCancellation()
        let lane = lanes[Int(nextLane.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(lanes.count))]
        let cancel = CancelFlag()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lane.queue.async {
                    continuation.resume(with: lane.run(mail, cancel: cancel))
                }
            }
        } onCancel: {
            cancel.set()
        }
    }
}

/// One serial queue and the curl handle only it touches (kept for its DNS and TLS session caches).
final class MailLane: @unchecked Sendable {
    // @unchecked: `handle` is read and written only from blocks running on `queue`, which is serial.
    let queue: DispatchQueue
    private var handle: CurlMailHandle?

    init(index: Int) {
        queue = DispatchQueue(label: "vigil.mail.lane.\(index)")
    }

    /// Call only on `queue`.
    func run(_ mail: MailDelivery, cancel: CancelFlag) -> Result<Void, any Error> {
        dispatchPrecondition(condition: .onQueue(queue))
        if cancel.isSet { return .failure(CancellationError()) }
        if handle == nil { handle = CurlMailHandle() }
        guard let handle else {
            let code = CurlGlobal.initResult == CURLE_OK ? CURLE_FAILED_INIT : CurlGlobal.initResult
            return .failure(MailClientError.from(code, smtpStatus: nil, detail: "", delivery: mail))
        }
        do {
            try handle.perform(mail, cancel: cancel)
            return .success(())
        } catch {
            if error.code == Int(CURLE_ABORTED_BY_CALLBACK.rawValue), cancel.isSet {
                return .failure(CancellationError())
            }
            return .failure(error)
        }
    }
}

/// Owns one libcurl easy handle configured for SMTP; one transfer at a time, on one thread.
final class CurlMailHandle {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard CurlGlobal.initResult == CURLE_OK, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one SMTP transaction to completion on the calling thread (blocking).
    func perform(_ mail: MailDelivery, cancel: CancelFlag) throws(MailClientError) {
        try MailValidation.validate(mail)
        curl_easy_reset(handle)
        errorBuffer[0] = 0

        var recipients: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipients) }
        // Runs before the list is freed: the idle handle keeps no pointer into this transfer.
        defer { curl_easy_reset(handle) }

        try check(vigil_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), mail)
        // Signals are process-wide; with several lanes curl must not use them for DNS timeouts.
        try set(CURLOPT_NOSIGNAL, 1, mail)
        // One SMTP session per mail, ended with QUIT: pages are rare, and a cached connection
        // would sit idle until the server drops it.
        try set(CURLOPT_FORBID_REUSE, 1, mail)
        // A URL from config must never become file:// or http://.
        try set(CURLOPT_PROTOCOLS_STR, "smtp,smtps", mail)
        try set(CURLOPT_URL, mail.url, mail)
        try set(CURLOPT_SSL_VERIFYPEER, 1, mail)
        try set(CURLOPT_SSL_VERIFYHOST, 2, mail)
        let level = mail.security == .required ? CURLUSESSL_ALL : CURLUSESSL_TRY
        try set(CURLOPT_USE_SSL, Int(level.rawValue), mail)
        try set(CURLOPT_TIMEOUT_MS, Milliseconds.curlTimeout(mail.timeout), mail)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Milliseconds.curlTimeout(min(mail.connectTimeout, mail.timeout)), mail)
        if let username = mail.username { try set(CURLOPT_USERNAME, username, mail) }
        if let password = mail.password { try set(CURLOPT_PASSWORD, password, mail) }

        try set(CURLOPT_MAIL_FROM, mail.from, mail)
        for recipient in mail.recipients {
            guard let appended = curl_slist_append(recipients, recipient) else {
                throw MailClientError.from(CURLE_OUT_OF_MEMORY, smtpStatus: nil, detail: "", delivery: mail)
            }
            recipients = appended
        }
        try check(vigil_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients), mail)

        let source = MessageSource(bytes: mail.message, cancel: cancel)
        let context = Unmanaged.passUnretained(source).toOpaque()
        try set(CURLOPT_UPLOAD, 1, mail)
        try set(CURLOPT_INFILESIZE, mail.message.count, mail)
        try check(vigil_curl_setopt_read_callback(handle, curlReadMessage), mail)
        try check(vigil_curl_setopt_pointer(handle, CURLOPT_READDATA, context), mail)
        try check(vigil_curl_setopt_xferinfo_callback(handle, curlMailProgress), mail)
        try check(vigil_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context), mail)
        try set(CURLOPT_NOPROGRESS, 0, mail)

        let code = withExtendedLifetime(source) { curl_easy_perform(handle) }
        guard code != CURLE_OK else { return }
        var status = 0
        let statusKnown = vigil_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status > 0
        throw MailClientError.from(
            code,
            smtpStatus: statusKnown ? status : nil,
            detail: String(cString: errorBuffer),
            delivery: mail
        )
    }

    private func set(_ option: CURLoption, _ value: Int, _ mail: MailDelivery) throws(MailClientError) {
        try check(vigil_curl_setopt_long(handle, option, value), mail)
    }

    /// curl copies string options, so the C string need only live for the call.
    private func set(_ option: CURLoption, _ value: String, _ mail: MailDelivery) throws(MailClientError) {
        try check(vigil_curl_setopt_string(handle, option, value), mail)
    }

    private func check(_ code: CURLcode, _ mail: MailDelivery) throws(MailClientError) {
        guard code != CURLE_OK else { return }
        throw MailClientError.from(code, smtpStatus: nil, detail: String(cString: errorBuffer), delivery: mail)
    }
}

/// The message bytes curl reads during `DATA`, and the cancel flag its progress callback reads.
private final class MessageSource {
    let bytes: [UInt8]
    let cancel: CancelFlag
    var offset = 0

    init(bytes: [UInt8], cancel: CancelFlag) {
        self.bytes = bytes
        self.cancel = cancel
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// Returning 0 tells curl the message is complete; it then sends the final `CRLF . CRLF` itself.
private func curlReadMessage(
    buffer: UnsafeMutablePointer<CChar>?,
    size: Int,
    count: Int,
    context: UnsafeMutableRawPointer?
) -> Int {
    guard let context, let buffer else { return 0 }
    let source = Unmanaged<MessageSource>.fromOpaque(context).takeUnretainedValue()
    return source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}

/// Non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK); curl calls this at least once a second.
private func curlMailProgress(
    context: UnsafeMutableRawPointer?,
    downloadTotal: curl_off_t,
    downloadNow: curl_off_t,
    uploadTotal: curl_off_t,
    uploadNow: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    return Unmanaged<MessageSource>.fromOpaque(context).takeUnretainedValue().cancel.isSet ? 1 : 0
}

enum MailValidation {
    /// Refuses what would let a value smuggle an SMTP command or reach a non-SMTP scheme.
    static func validate(_ mail: MailDelivery) throws(MailClientError) {
        let lowered = mail.url.lowercased()
        guard lowered.hasPrefix("smtp://") || lowered.hasPrefix("smtps://") else {
            throw .invalid("only smtp:// and smtps:// URLs are allowed", delivery: mail)
        }
        guard !mail.url.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "\0" }) else {
            throw .invalid("URL contains whitespace or control characters", delivery: mail)
        }
        let authority = lowered.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first ?? ""
        guard !authority.contains("@") else {
            throw .invalid("put SMTP credentials in username and password, not in the URL", delivery: mail)
        }
        guard !mail.recipients.isEmpty else {
            throw .invalid("no recipients", delivery: mail)
        }
        for address in [mail.from] + mail.recipients {
            guard !address.isEmpty,
                address.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") })
            else {
                throw .invalid("an envelope address is empty or contains spaces, line breaks, <, > or non-ASCII", delivery: mail)
            }
        }
        for secret in [mail.username, mail.password].compactMap({ $0 }) {
            guard !secret.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalid("SMTP credentials contain a line break", delivery: mail)
            }
        }
    }
}
