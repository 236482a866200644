import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real, minimal ESMTP server on 127.0.0.1 for tests: enough of RFC 5321 for libcurl to send
/// a mail (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, a scriptable AUTH), recording each
/// accepted message with its envelope and un-dot-stuffed data.
///
/// ```swift
/// let sink = try SMTPSink.start(replies: .init(recipient: { $0.hasPrefix("nobody@") ? "550 5.1.1 unknown" : "250 OK" }))
/// try await client.send(delivery(to: sink.url))
/// #expect(sink.messages.count == 1)
/// await sink.stop()
/// ```
///
/// Runs on a thread of its own with blocking sockets (never on the cooperative pool); connections
/// are served one at a time, which is all a test needs. `poll` on a wake pipe makes ``stop()``
/// immediate, with no timeouts involved.
public final class SMTPSink: Sendable {
    /// A message the sink accepted (its final reply to DATA was 2xx).
    public struct ReceivedMail: Sendable, Hashable {
        /// The `MAIL FROM` address, without angle brackets.
        public var from: String
        /// The accepted `RCPT TO` addresses, without angle brackets.
        public var recipients: [String]
        /// The message as the client meant it: CRLF line endings, dot-stuffing removed, without
        /// the terminating `.` line.
        public var data: [UInt8]

        /// ``data`` as UTF-8 text.
        public var text: String { String(decoding: data, as: UTF8.self) }
    }

    /// The sink's answers; each is a complete reply line such as `550 5.1.1 no such user`.
    public struct Replies: Sendable {
        /// Sent on connect.
        public var greeting: String
        /// Advertised after EHLO, e.g. `AUTH PLAIN` to make curl authenticate.
        public var extensions: [String]
        /// The answer to `MAIL FROM`.
        public var mailFrom: String
        /// The answer to `RCPT TO:<address>`, given the address.
        public var recipient: @Sendable (String) -> String
        /// The answer to `DATA`.
        public var data: String
        /// The answer after the message's final `.`.
        public var afterData: String
        /// The answer to the credentials of `AUTH`.
        public var auth: String

        /// Creates replies; the defaults accept everything.
        public init(
            greeting: String = "220 sink.test ESMTP ready",
            extensions: [String] = ["8BITMIME", "SIZE 10485760"],
            mailFrom: String = "250 2.1.0 OK",
            recipient: @escaping @Sendable (String) -> String = { _ in "250 2.1.5 OK" },
            data: String = "354 End data with <CR><LF>.<CR><LF>",
            afterData: String = "250 2.0.0 Queued",
            auth: String = "235 2.7.0 Authentication successful"
        ) {
            self.greeting = greeting
            self.extensions = extensions
            self.mailFrom = mailFrom
            self.recipient = recipient
            self.data = data
            self.afterData = afterData
            self.auth = auth
        }
    }

    /// The port the sink listens on (127.0.0.1).
    public let port: Int
    private let wakeWrite: Int32
    private let shared: SinkShared

    private init(port: Int, wakeWrite: Int32, shared: SinkShared) {
        self.port = port
        self.wakeWrite = wakeWrite
        self.shared = shared
    }

    /// `smtp://127.0.0.1:<port>`.
    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// Every message accepted so far, in order.
    public var messages: [ReceivedMail] { shared.state.withLock { $0.messages } }

    /// Every command line received so far (AUTH credentials are not recorded).
    public var commands: [String] { shared.state.withLock { $0.commands } }

    /// Starts a sink on a free port of 127.0.0.1 and returns once it is listening.
    public static func start(replies: Replies = Replies()) throws -> SMTPSink {
        #if canImport(Glibc)
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let listener = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard listener >= 0 else { throw SMTPSinkError(operation: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(listener, socketAddress, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, socketAddress, &length) == 0
            }
        }
        guard bound else {
            let error = SMTPSinkError(operation: "bind/listen", errno: errno)
            close(listener)
            throw error
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            close(listener)
            throw SMTPSinkError(operation: "pipe", errno: errno)
        }
        let shared = SinkShared()
        let sink = SMTPSink(port: Int(UInt16(bigEndian: address.sin_port)), wakeWrite: pipeEnds[1], shared: shared)
        let server = SinkServer(listener: listener, wakeRead: pipeEnds[0], replies: replies, shared: shared)
        let thread = Thread { server.serve() }
        thread.name = "vigil.test.smtp-sink"
        thread.start()
        return sink
    }

    /// Stops listening, drops any open connection, and returns once the sink's thread has ended.
    public func stop() async {
        let alreadyStopped = shared.state.withLock { state -> Bool in
            defer { state.stopRequested = true }
            return state.stopRequested
        }
        if !alreadyStopped {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finishedAlready = shared.state.withLock { state -> Bool in
                if state.finished { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if finishedAlready { continuation.resume() }
        }
    }

    deinit {
        // A test that forgot stop() must not leave the thread and its socket behind. After stop()
        // the thread has closed the pipe's read end, and writing would raise SIGPIPE.
        if !shared.state.withLock({ $0.stopRequested }) {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        close(wakeWrite)
    }
}

/// Why ``SMTPSink`` could not start.
public struct SMTPSinkError: Error, Sendable, Hashable {
    /// The failing system call.
    public var operation: String
    /// Its `errno`.
    public var errno: Int32
}

/// What the sink's thread and the test share.
final class SinkShared: Sendable {
    let state = Mutex(SinkState())
}

struct SinkState {
    var messages: [SMTPSink.ReceivedMail] = []
    var commands: [String] = []
    var stopRequested = false
    var finished = false
    var finishWaiters: [CheckedContinuation<Void, Never>] = []
}
