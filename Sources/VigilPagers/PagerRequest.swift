/// An HTTP request a pager service should receive, as plain data.
///
/// VigilPagers renders requests but never sends them: adapters do not import each other, so the
/// app turns this into a `VigilHTTP.HTTPRequest` (same fields) and posts it through the outbox.
public struct PagerRequest: Sendable, Hashable {
    /// One header field.
    public struct Header: Sendable, Hashable {
        /// The field name, e.g. `Content-Type`.
        public var name: String
        /// The field value; never contains CR, LF or NUL.
        public var value: String

        /// Creates a header field.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Always `POST` for the services here.
    public var method: String
    /// The absolute URL. Treat it as configuration, not as user input.
    public var url: String
    /// Header fields, in the order they should be sent.
    public var headers: [Header]
    /// The request body.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String = "POST", url: String, headers: [Header], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first header called `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// Text helpers shared by the renderers.
enum PagerText {
    /// `text` on one line: CR, LF and the other vertical separators become spaces, NUL and other
    /// C0 controls (tab excepted) are dropped, so a value can never start a new header or line.
    static func singleLine(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029:
                result.unicodeScalars.append(" ")
            case 0x09:
                result.unicodeScalars.append(" ")
            case 0x00..<0x20, 0x7F:
                continue
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` cut to at most `limit` UTF-16 code units, ending in `…` when cut.
    ///
    /// UTF-16 units are the strictest "character" count a JSON service may apply (never fewer than
    /// Unicode scalars or graphemes), and the cut falls on a `Character` boundary, so neither a
    /// UTF-8 sequence, a surrogate pair nor an emoji sequence is ever split.
    static func truncated(_ text: String, maxUTF16 limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        guard limit > 0 else { return "" }
        var kept = ""
        var used = 0
        for character in text {
            let size = character.utf16.count
            if used + size > limit - 1 { break }
            kept.append(character)
            used += size
        }
        return kept + "…"
    }

    /// Whether every byte is printable ASCII (space to `~`).
    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}

extension PagerText {
    /// `text` cut to at most `limit` UTF-8 bytes on a `Character` boundary, ending in `…` when cut.
    static func truncated(_ text: String, maxUTF8 limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let ellipsis = "…".utf8.count
        guard limit >= ellipsis else { return "" }
        var kept = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > limit - ellipsis { break }
            kept.append(character)
            used += size
        }
        return kept + "…"
    }
}
