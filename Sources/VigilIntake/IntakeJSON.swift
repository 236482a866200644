import VigilJSON

/// The few JSON readings both intake decoders share.
enum IntakeJSON {
    /// The body as a JSON object, or ``IntakeBodyError/malformed(_:)``.
    static func object(_ body: some Collection<UInt8>) throws(IntakeBodyError) -> JSONValue {
        let root: JSONValue
        do throws(JSONError) {
            root = try JSONValue.parse(body)
        } catch {
            throw .malformed("not JSON: \(error.message)")
        }
        guard root.objectMembers != nil else { throw .malformed("the body must be a JSON object") }
        return root
    }

    /// `object[key]` as a string: absent or `null` is `nil`, another shape a refusal naming it.
    static func string(_ object: JSONValue, _ key: String) throws(IntakeBodyError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw .field(key, "\(key) must be a string.") }
        return text
    }

    /// A string, or a number written as one (Zendesk ids arrive either way).
    static func scalarText(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        if let text = value.stringValue { return text }
        if let number = value.intValue { return String(number) }
        return nil
    }
}
