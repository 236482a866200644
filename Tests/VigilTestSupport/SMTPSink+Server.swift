import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sink's accept loop and SMTP dialogue, run on the sink's own thread.
final class SinkServer: @unchecked Sendable {
    // @unchecked: after `start` hands it to the thread, only that thread touches it; the shared
    // results go through `shared`, behind a Mutex.
    private let listener: Int32
    private let wakeRead: Int32
    private let replies: SMTPSink.Replies
    private let shared: SinkShared

    init(listener: Int32, wakeRead: Int32, replies: SMTPSink.Replies, shared: SinkShared) {
        self.listener = listener
        self.wakeRead = wakeRead
        self.replies = replies
        self.shared = shared
    }

    func serve() {
        defer {
            close(listener)
            close(wakeRead)
            let waiters = shared.state.withLock { state in
                state.finished = true
                defer { state.finishWaiters.removeAll() }
                return state.finishWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        while waitReadable(listener) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            serveConnection(connection)
            close(connection)
        }
    }

    /// Blocks until `descriptor` is readable (true) or the wake pipe fires (false).
    private func waitReadable(_ descriptor: Int32) -> Bool {
        var fds = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0, errno == EINTR { continue }
            if ready < 0 || fds[1].revents != 0 { return false }
            return fds[0].revents != 0
        }
    }

    // MARK: - One SMTP session

    private struct Session {
        var from: String?
        var recipients: [String] = []
        var inData = false
        var dataLines: [[UInt8]] = []
        var awaitingAuthCredentials = false

        mutating func reset() {
            from = nil
            recipients = []
            inData = false
            dataLines = []
        }
    }

    private func serveConnection(_ connection: Int32) {
        var session = Session()
        var pending: [UInt8] = []
        guard send(replies.greeting, to: connection) else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while waitReadable(connection) {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            pending.append(contentsOf: buffer[0..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                guard handle(line, session: &session, connection: connection) else { return }
            }
        }
    }

    /// Handles one line; false ends the session.
    private func handle(_ line: [UInt8], session: inout Session, connection: Int32) -> Bool {
        if session.inData {
            if line == [UInt8(ascii: ".")] {
                let reply = replies.afterData
                if reply.hasPrefix("2"), let from = session.from {
                    let data = session.dataLines.flatMap { line -> [UInt8] in line + [0x0D, 0x0A] }
                    let mail = SMTPSink.ReceivedMail(from: from, recipients: session.recipients, data: data)
                    shared.state.withLock { $0.messages.append(mail) }
                }
                session.reset()
                return send(reply, to: connection)
            }
            // RFC 5321 §4.5.2: a line starting with "." had one more "." added by the client.
            session.dataLines.append(line.first == UInt8(ascii: ".") ? Array(line.dropFirst()) : line)
            return true
        }
        let text = String(decoding: line, as: UTF8.self)
        if session.awaitingAuthCredentials {
            session.awaitingAuthCredentials = false
            return send(replies.auth, to: connection)
        }
        let verb = text.prefix { $0 != " " && $0 != ":" }.uppercased()
        shared.state.withLock { $0.commands.append(verb == "AUTH" ? "AUTH" : text) }
        switch verb {
        case "EHLO":
            let lines = ["sink.test greets you"] + replies.extensions
            let reply = lines.enumerated().map { index, value in
                (index == lines.count - 1 ? "250 " : "250-") + value
            }.joined(separator: "\r\n")
            return send(reply, to: connection)
        case "HELO":
            return send("250 sink.test", to: connection)
        case "MAIL":
            let reply = replies.mailFrom
            if reply.hasPrefix("2") {
                session.reset()
                session.from = Self.address(in: text)
            }
            return send(reply, to: connection)
        case "RCPT":
            guard session.from != nil else { return send("503 5.5.1 MAIL first", to: connection) }
            let address = Self.address(in: text)
            let reply = replies.recipient(address)
            if reply.hasPrefix("2") { session.recipients.append(address) }
            return send(reply, to: connection)
        case "DATA":
            guard session.from != nil, !session.recipients.isEmpty else {
                return send("503 5.5.1 RCPT first", to: connection)
            }
            let reply = replies.data
            session.inData = reply.hasPrefix("3")
            return send(reply, to: connection)
        case "AUTH":
            let parts = text.split(separator: " ")
            if parts.count >= 3 { return send(replies.auth, to: connection) }
            session.awaitingAuthCredentials = true
            return send("334 ", to: connection)
        case "RSET":
            session.reset()
            return send("250 2.0.0 OK", to: connection)
        case "NOOP":
            return send("250 2.0.0 OK", to: connection)
        case "QUIT":
            _ = send("221 2.0.0 Bye", to: connection)
            return false
        default:
            return send("502 5.5.2 Command not recognized", to: connection)
        }
    }

    /// The address between `<` and `>` of `MAIL FROM:<a@b> SIZE=…`, or what follows the colon.
    private static func address(in command: String) -> String {
        if let open = command.firstIndex(of: "<"), let close = command[open...].firstIndex(of: ">") {
            return String(command[command.index(after: open)..<close])
        }
        let afterColon = command.split(separator: ":", maxSplits: 1).dropFirst().first ?? ""
        return afterColon.trimmingCharacters(in: .whitespaces)
    }

    private func send(_ reply: String, to connection: Int32) -> Bool {
        let bytes = Array((reply + "\r\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes { systemSend(connection, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { return false }
            sent += result
        }
        return true
    }
}

/// `send(2)` without SIGPIPE: a client that hung up must not kill the test process.
private func systemSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
    #else
        Darwin.send(descriptor, bytes, count, 0)
    #endif
}
