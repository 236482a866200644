/// An `application/x-www-form-urlencoded` body, as Slack and Mattermost send slash commands.
public struct FormBody: Sendable, Equatable {
    /// The fields in order; a repeated name keeps every value.
    public var fields: [(String, String)]

    public static func == (lhs: FormBody, rhs: FormBody) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0 == $1 }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        fields.first { $0.0 == name }?.1
    }

    /// Decodes a form body; `+` is a space and `%XX` a byte. Invalid escapes or UTF-8 are errors.
    public init(decoding body: some Collection<UInt8>) throws(ChatRequestError) {
        // One copy into a concrete array: the generic collection is not specialised across the
        // module boundary, and walking it byte by byte through witnesses was most of the cost.
        let bytes = Array(body)
        var fields: [(String, String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.percentDecode(parts[0])
            let value = parts.count > 1 ? try Self.percentDecode(parts[1]) : ""
            fields.append((name, value))
        }
        self.fields = fields
    }

    public init(fields: [(String, String)]) {
        self.fields = fields
    }

    /// Encodes the fields as a form body, escaping everything but unreserved characters.
    public func encoded() -> String {
        fields.map { Self.percentEncode($0.0) + "=" + Self.percentEncode($0.1) }.joined(separator: "&")
    }

    static func percentDecode(_ bytes: some Collection<UInt8>) throws(ChatRequestError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw ChatRequestError(.malformed, "invalid percent-encoding in form body")
                }
                output.append(high << 4 | low)
            default:
                output.append(byte)
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw ChatRequestError(.malformed, "form body is not valid UTF-8")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func percentEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return output
    }
}
