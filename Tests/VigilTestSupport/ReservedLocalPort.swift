#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port on 127.0.0.1 that is bound but not listening, so connecting to it is refused.
///
/// Holding the socket (rather than binding and closing) keeps any other process from taking
/// the port while a test expects "connection refused".
public final class ReservedLocalPort: Sendable {
    /// The reserved port number.
    public let port: Int
    private let socketDescriptor: Int32

    /// Binds a fresh socket to 127.0.0.1 on a port the kernel picks.
    public init() throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw ReservedLocalPortError(operation: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            let error = ReservedLocalPortError(operation: "bind", errno: errno)
            close(descriptor)
            throw error
        }
        socketDescriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(socketDescriptor)
    }

    /// `http://127.0.0.1:<port><path>`.
    public func url(path: String = "/") -> String {
        "http://127.0.0.1:\(port)\(path)"
    }
}

/// A socket call failed while reserving a port.
public struct ReservedLocalPortError: Error, Sendable, Hashable {
    /// The failing call, e.g. `bind`.
    public var operation: String
    /// The C `errno` it left.
    public var errno: Int32
}
