/// An inbound request as a ``ChatAdapter`` sees it: where it arrived, its headers and its raw
/// body, with no server types, so adapters stay pure and tests feed them recorded payloads.
public struct ChatRequest: Sendable {
    /// The path it arrived at: one of the adapter's ``ChatAdapter/paths``.
    public var path: String
    /// The body exactly as received: signatures cover these bytes.
    public var body: [UInt8]
    private let lookup: @Sendable (String) -> String?

    /// - Parameter header: a header's value by name, case-insensitively; `nil` when absent.
    public init(path: String, body: [UInt8], header: @escaping @Sendable (String) -> String?) {
        self.path = path
        self.body = body
        lookup = header
    }

    /// The value of the header `name` (any case), or `nil` when the request has none.
    public func header(_ name: String) -> String? { lookup(name) }
}
