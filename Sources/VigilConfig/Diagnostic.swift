import VigilCore

/// One problem in a config or spec file, printed as `file:line: message`.
///
/// A line of 0 means the problem concerns the whole file (it is missing or unreadable) and is
/// printed as `file: message`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    public init(file: String, line: Int, _ message: String) {
        self.init(location: SourceLocation(file: file, line: line), message: message)
    }

    public var description: String {
        location.line > 0 ? "\(location): \(message)" : "\(location.file): \(message)"
    }
}

/// Everything wrong with a configuration or the command specs, collected rather than stopping
/// at the first problem; its description is one `file:line: message` per line.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// A problem with one value, before it is given a place in a file (`--listen` on the command
/// line reuses the same parsers as `listen:` in `vigil.yaml`).
public struct ConfigValueError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
