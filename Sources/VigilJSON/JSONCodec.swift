import CJSONC

/// Why a JSON text could not be read.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in words a log reader understands.
    public let message: String
    /// The byte offset where parsing stopped, when known.
    public let offset: Int?

    public var description: String {
        offset.map { "\(message) at byte \($0)" } ?? message
    }
}

extension JSONValue {
    /// Parses one JSON document (any value, including a bare scalar) with json-c.
    ///
    /// Trailing bytes other than white space are an error, as is nesting deeper than json-c's
    /// default limit of 32 levels. json-c's strict mode still accepts single-quoted strings.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        // json-c only accepts a bare scalar when the length it is given includes a terminating
        // NUL, so hand it one.
        var buffer = [UInt8]()
        buffer.reserveCapacity(bytes.count + 1)
        buffer.append(contentsOf: bytes)
        buffer.append(0)
        if buffer.dropLast().contains(0) {
            throw JSONError(message: "JSON text contains a NUL byte", offset: buffer.firstIndex(of: 0))
        }
        guard let tokener = json_tokener_new() else {
            throw JSONError(message: "json-c could not allocate a tokener", offset: nil)
        }
        defer { json_tokener_free(tokener) }
        json_tokener_set_flags(tokener, Int32(JSON_TOKENER_STRICT))

        let parsed: OpaquePointer? = buffer.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { chars in
                json_tokener_parse_ex(tokener, chars.baseAddress, Int32(chars.count))
            }
        }
        let status = json_tokener_get_error(tokener)
        guard status == json_tokener_success else {
            if let parsed { json_object_put(parsed) }
            let reason = String(cString: json_tokener_error_desc(status))
            throw JSONError(message: "invalid JSON: \(reason)", offset: Int(json_tokener_get_parse_end(tokener)))
        }
        // A successful parse of `null` yields no object at all.
        defer { if let parsed { json_object_put(parsed) } }
        // Anything after the value must be white space (or the NUL we added).
        let end = Int(json_tokener_get_parse_end(tokener))
        if end < buffer.count - 1,
           buffer[end..<(buffer.count - 1)].contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) })
        {
            throw JSONError(message: "invalid JSON: unexpected data after the value", offset: end)
        }
        return try JSONValue(borrowing: parsed)
    }

    /// Parses a JSON text given as a string.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Converts a json-c object (borrowed, not released here) into a value.
    ///
    /// json-c reads `NaN`, `Infinity` and numbers too large for a double (`1e999`) even in strict
    /// mode; JSON has no such numbers, and they would print back as `null`, so they are refused.
    /// So are strings and keys that are not UTF-8 (RFC 8259 §8.1), rather than repaired.
    private init(borrowing object: OpaquePointer?) throws(JSONError) {
        guard let object else {
            self = .null
            return
        }
        switch json_object_get_type(object) {
        case json_type_null:
            self = .null
        case json_type_boolean:
            self = .bool(json_object_get_boolean(object) != 0)
        case json_type_int:
            self = .int(json_object_get_int64(object))
        case json_type_double:
            let number = json_object_get_double(object)
            guard number.isFinite else {
                throw JSONError(message: "invalid JSON: \(number) is not a JSON number", offset: nil)
            }
            self = .double(number)
        case json_type_string:
            let length = Int(json_object_get_string_len(object))
            let pointer = json_object_get_string(object)!
            let text = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(validating: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            guard let text else { throw JSONError(message: "invalid JSON: a string is not UTF-8", offset: nil) }
            self = .string(text)
        case json_type_array:
            let count = json_object_array_length(object)
            var elements = [JSONValue]()
            elements.reserveCapacity(count)
            for index in 0..<count {
                // json_object_array_get_idx returns a borrowed reference.
                elements.append(try JSONValue(borrowing: json_object_array_get_idx(object, index)))
            }
            self = .array(elements)
        case json_type_object:
            var members = [(String, JSONValue)]()
            var iterator = json_object_iter_begin(object)
            var end = json_object_iter_end(object)
            while json_object_iter_equal(&iterator, &end) == 0 {
                // Not String(cString:), which repairs bad UTF-8: two different keys could then
                // read as one, and printing the object back would drop one of them.
                guard let key = String(validatingCString: json_object_iter_peek_name(&iterator)) else {
                    throw JSONError(message: "invalid JSON: an object key is not UTF-8", offset: nil)
                }
                members.append((key, try JSONValue(borrowing: json_object_iter_peek_value(&iterator))))
                json_object_iter_next(&iterator)
            }
            self = .object(members)
        default:
            self = .null
        }
    }
}

// MARK: - Writing

extension JSONValue {
    /// The compact JSON text of this value, printed by json-c.
    ///
    /// `/` is not escaped, doubles print in Swift's shortest round-trip form, and a non-finite
    /// double (which JSON cannot express) prints as `null`.
    public func serialized() -> [UInt8] {
        let object = makeObject()
        defer { if let object { json_object_put(object) } }
        var length = 0
        let flags = Int32(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
        guard let text = json_object_to_json_string_length(object, flags, &length) else { return Array("null".utf8) }
        return text.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// The compact JSON text of this value as a string.
    public func serializedString() -> String {
        String(decoding: serialized(), as: UTF8.self)
    }

    /// Builds an owned json-c object (`nil` is json-c's null).
    private func makeObject() -> OpaquePointer? {
        switch self {
        case .null:
            return nil
        case let .bool(b):
            return json_object_new_boolean(b ? 1 : 0)
        case let .int(i):
            return json_object_new_int64(i)
        case let .double(d):
            guard d.isFinite else { return nil }
            // Without the explicit text json-c prints 0.1 as 0.10000000000000001.
            let text = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) + ".0" : "\(d)"
            return json_object_new_double_s(d, text)
        case let .string(s):
            if s.isEmpty { return json_object_new_string("") }
            // Length-delimited, so a string holding U+0000 survives.
            let utf8 = Array(s.utf8)
            return utf8.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    json_object_new_string_len(chars.baseAddress!, Int32(chars.count))
                }
            }
        case let .array(elements):
            let array = json_object_new_array_ext(Int32(elements.count))
            for element in elements {
                json_object_array_add(array, element.makeObject())
            }
            return array
        case let .object(members):
            let object = json_object_new_object()
            for (key, value) in members {
                // json_object_object_add takes ownership of the value and replaces a repeated key.
                json_object_object_add(object, key, value.makeObject())
            }
            return object
        }
    }
}
