import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to 127.0.0.1 for tests that need to misbehave the way HTTP clients do
/// (send nothing, send headers a byte at a time, stop half-way through a body) and to see when
/// the server hangs up.
///
/// Every blocking socket call runs on a dispatch queue, never on the cooperative pool; reads wait
/// with `poll` and a bound, so a test that expects a close fails instead of hanging.
public final class RawTCPConnection: @unchecked Sendable {
    private let descriptor: Int32
    /// Sending and receiving each have a queue, so a test can send while it waits for a close.
    private let sendQueue = DispatchQueue(label: "vigil.test.raw-tcp.send")
    private let receiveQueue = DispatchQueue(label: "vigil.test.raw-tcp.receive")
    /// Set on `receiveQueue` after `sendQueue` has drained (see ``close()``).
    private var isClosedLocally = false

    /// Connects to `127.0.0.1:port`.
    public init(port: Int) async throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw RawTCPError(operation: "socket", errno: errno) }
        self.descriptor = descriptor
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let connected: Int32 = await run(on: sendQueue) {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            return result == 0 ? 0 : errno
        }
        guard connected == 0 else {
            systemClose(descriptor)
            throw RawTCPError(operation: "connect", errno: connected)
        }
    }

    deinit {
        if !isClosedLocally { systemClose(descriptor) }
    }

    /// Sends `text`; `false` when the server has closed the connection.
    @discardableResult
    public func send(_ text: String) async -> Bool {
        let bytes = Array(text.utf8)
        let descriptor = descriptor
        return await run(on: sendQueue) {
            var sent = 0
            while sent < bytes.count {
                #if canImport(Glibc)
                let flags = Int32(MSG_NOSIGNAL)
                #else
                let flags: Int32 = 0
                #endif
                let count = bytes[sent...].withUnsafeBytes { systemSend(descriptor, $0.baseAddress, $0.count, flags) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                sent += count
            }
            return true
        }
    }

    /// Reads until the server closes the connection or `seconds` pass; true when it closed.
    /// Whatever the server sent before closing (a 503, a 408) is read and dropped.
    public func waitUntilClosed(within seconds: Double) async -> Bool {
        let descriptor = descriptor
        return await run(on: receiveQueue) {
            let end = Self.monotonicSeconds() + seconds
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let left = end - Self.monotonicSeconds()
                guard left > 0 else { return false }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(min(left * 1000, 1000)) + 1)
                if ready < 0, errno == EINTR { continue }
                guard ready > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                if count <= 0 { return true }  // 0: orderly close; < 0: reset
            }
        }
    }

    /// Reads one HTTP response (headers and a `Content-Length` body) within `seconds`; `nil` when
    /// none arrives in time or the connection closes first.
    public func readResponse(within seconds: Double) async -> String? {
        let descriptor = descriptor
        return await run(on: receiveQueue) {
            let end = Self.monotonicSeconds() + seconds
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                if let response = Self.completeResponse(received) { return response }
                let left = end - Self.monotonicSeconds()
                guard left > 0 else { return nil }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(min(left * 1000, 1000)) + 1)
                if ready < 0, errno == EINTR { continue }
                guard ready > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                guard count > 0 else { return Self.completeResponse(received) }
                received += buffer[..<count]
            }
        }
    }

    /// Closes the connection from this side.
    public func close() async {
        let descriptor = descriptor
        await run(on: sendQueue) {}  // no send still running on the descriptor
        await run(on: receiveQueue) {
            if !self.isClosedLocally {
                self.isClosedLocally = true
                systemClose(descriptor)
            }
        }
    }

    // MARK: - Helpers

    private func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    private static func completeResponse(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<headEnd.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text[headEnd.upperBound...].utf8.count >= length ? text : nil
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// A socket call failed.
public struct RawTCPError: Error, Sendable, Hashable {
    public var operation: String
    public var errno: Int32
}

// File-scope names for the C calls that the class's own `send` and `close` would shadow.
private func systemSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(descriptor, bytes, count, flags)
}

private func systemClose(_ descriptor: Int32) {
    close(descriptor)
}
