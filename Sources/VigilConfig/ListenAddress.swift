import Foundation

/// Where the HTTP server listens: `listen: 127.0.0.1:8080`, or `--listen HOST:PORT`.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// A name or address; IPv6 without brackets (`::1`).
    public var host: String
    /// 0 lets the system choose (tests).
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// 127.0.0.1:8080, the address of local mode.
    public static let localDefault = ListenAddress(host: "127.0.0.1", port: 8080)

    /// Parses `HOST:PORT`, `[IPv6]:PORT`.
    public static func parse(_ text: String) throws(ConfigValueError) -> ListenAddress {
        let usage = "invalid listen address \"\(text)\" (use HOST:PORT, e.g. 127.0.0.1:8080)"
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else {
                throw ConfigValueError(usage)
            }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            portText = trimmed[trimmed.index(close, offsetBy: 2)...]
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw ConfigValueError(usage)
            }
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else { throw ConfigValueError(usage) }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
            else { throw ConfigValueError(usage) }
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText) else {
            throw ConfigValueError(usage)
        }
        guard port <= 65_535 else {
            throw ConfigValueError("port \(port) in listen address \"\(text)\" is out of range (0–65535)")
        }
        return ListenAddress(host: String(host), port: port)
    }

    /// Whether only this machine can connect: local mode refuses anything else.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
