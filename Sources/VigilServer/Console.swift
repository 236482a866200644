import Foundation

/// Where channel posts set to `console` go: the terminal in local mode, a recording in tests.
public protocol ConsoleSink: Sendable {
    /// Shows one post addressed to `channel`.
    func show(channel: String, text: String)
}

/// Prints posts to standard output, one framed block each, flushed at once.
public struct StandardOutputConsole: ConsoleSink {
    public init() {}

    public func show(channel: String, text: String) {
        let indented = text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        FileHandle.standardOutput.write(Data("── #\(channel) ──\n\(indented)\n".utf8))
    }
}
