import Foundation
import VigilCore

/// A plain-text e-mail page, rendered as an RFC 5322 message ready for SMTP `DATA`.
///
/// Safe by construction: every header value is put on one line (CR/LF become spaces) and a
/// non-ASCII or unusual subject is sent as RFC 2047 encoded-words, so no input can add a header.
/// The body is UTF-8 in base64: any line length, any character and any leading `.` survive every
/// relay unchanged, with no reliance on the server's 8BITMIME support and none of
/// quoted-printable's escaping rules (readable source matters less than a page that arrives).
public struct EmailMessage: Sendable, Hashable {
    /// Longest subject kept, in UTF-8 bytes, before encoding; longer ones are cut with `…`.
    public static let maxSubjectBytes = 900

    /// The sender, from config (`smtp.from`).
    public var from: EmailAddress
    /// The recipients; at least one.
    public var to: [EmailAddress]
    /// The subject, e.g. `[sev1] INC-42 opened: Card testing spike`.
    public var subject: String
    /// The text; any line breaks (LF, CRLF or CR) are sent as CRLF.
    public var body: String
    /// The `Date:` header: when the page was written (injected, never read from the clock here).
    public var date: Date
    /// `Message-ID`, e.g. `<INC-42.5f1c…@example.com>`.
    public var messageID: String

    /// Creates a message.
    ///
    /// - Parameters:
    ///   - incidentID: the incident's display id, the first part of the Message-ID.
    ///   - uniqueToken: the Message-ID's unique part (e.g. the outbox row id); 16 random bytes
    ///     in hex when nil.
    /// - Throws: ``EmailError/noRecipients`` when `to` is empty.
    public init(
        from: EmailAddress,
        to: [EmailAddress],
        subject: String,
        body: String,
        date: Date,
        incidentID: String,
        uniqueToken: String? = nil
    ) throws(EmailError) {
        guard !to.isEmpty else { throw .noRecipients }
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        let token = uniqueToken ?? Self.randomToken()
        messageID = "<\(Self.atom(incidentID)).\(Self.atom(token))@\(from.domain)>"
    }

    /// The whole message: headers, blank line, base64 body; CRLF line endings throughout.
    public func rendered() -> [UInt8] {
        var lines = [
            "Date: \(RFC5322Date.string(from: date))",
            "From: \(from.address)",
            "To: " + to.map(\.address).joined(separator: ",\r\n "),
            "Subject: \(EncodedWords.header(subject))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            // RFC 3834: tells vacation responders and mailing lists not to answer a bot's page.
            "Auto-Submitted: auto-generated",
            "",
        ]
        lines.append(contentsOf: Base64.lines(Array(Self.crlfText(body).utf8), width: 76))
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// `text` with every line break as CRLF, ending in CRLF.
    static func crlfText(_ text: String) -> String {
        let unified = text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        let lines = unified.split(separator: "\n", omittingEmptySubsequences: false)
        let joined = lines.joined(separator: "\r\n")
        return joined.hasSuffix("\r\n") ? joined : joined + "\r\n"
    }

    /// Only RFC 5322 `atext` (letters, digits and a few marks) so a Message-ID is always well-formed.
    static func atom(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_+=!#$%&'*/?^`{|}~")
        let mapped = String(text.map { allowed.contains($0) ? $0 : "-" })
        return mapped.isEmpty ? "x" : mapped
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }
}

/// A header value as plain text when it is safe and short enough, else as RFC 2047 encoded-words.
enum EncodedWords {
    /// Raw bytes per encoded-word: 45 bytes → 60 base64 characters, so `=?UTF-8?B?…?=` stays
    /// within RFC 2047's 75-character limit.
    static let bytesPerWord = 45

    static func header(_ value: String) -> String {
        let text = PagerText.truncated(PagerText.singleLine(value), maxUTF8: EmailMessage.maxSubjectBytes)
        // Plain ASCII is sent as is, unless it contains "=?", which a reader could take for the
        // start of an encoded-word.
        if PagerText.isPrintableASCII(text), !text.contains("=?") {
            return text
        }
        var words: [String] = []
        var chunk: [UInt8] = []
        // Split on Unicode scalars: RFC 2047 forbids splitting a character's bytes across words,
        // and readers join adjacent encoded-words, so a grapheme split across two still displays.
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerWord {
                words.append("=?UTF-8?B?\(Base64.encode(chunk))?=")
                chunk.removeAll()
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Base64.encode(chunk))?=") }
        // Folding: each further word on its own continuation line (CRLF + space).
        return words.joined(separator: "\r\n ")
    }
}

/// `Thu, 03 Dec 2026 15:35:01 +0000` (RFC 5322 §3.3), always UTC.
enum RFC5322Date {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func string(from date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = ISOTimestamp.civil(fromDays: Int(days))
        // 1970-01-01 was a Thursday.
        let weekday = Int(((days % 7) + 7 + 4) % 7)
        let time = [secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60].map(two).joined(separator: ":")
        return "\(weekdays[weekday]), \(two(Int64(day))) \(months[month - 1]) \(year) \(time) +0000"
    }

    private static func two(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

/// Standard base64 (RFC 4648) without dependence on Foundation's line options.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The encoding cut into lines of `width` characters (MIME allows at most 76).
    static func lines(_ bytes: [UInt8], width: Int) -> [String] {
        let encoded = encode(bytes)
        var lines: [String] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: width, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        return lines
    }
}
