import Foundation
import Logging
import VigilJSON

/// `log_format: json`: one JSON object per line, for log shippers. Members in order: `ts` (RFC
/// 3339, UTC, milliseconds), `level`, `label`, `msg`, then each metadata entry as a string member
/// (`incident`, `request`, `platform`, `error`, …), sorted by key. A metadata key that would
/// shadow one of the first four gets a `meta.` prefix. Each line is written whole (``LogSink``).
///
/// It does not redact: ``VigilLogging`` wraps it in a ``RedactingLogHandler``.
public struct JSONLogHandler: LogHandler {
    /// The members every line starts with.
    public static let fixedMembers: Set<String> = ["ts", "level", "label", "msg"]

    public let label: String
    let sink: any LogSink
    let now: @Sendable () -> Date
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(
        label: String, sink: any LogSink = FileDescriptorLogSink.standardError, metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
        self.now = now
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var members: [(String, JSONValue)] = [
            ("ts", .string(Self.timestamp(now()))), ("level", .string(event.level.rawValue)), ("label", .string(label)),
            ("msg", .string(event.message.description)),
        ]
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            members.append((Self.fixedMembers.contains(key) ? "meta." + key : key, .string(Self.flattened(value))))
        }
        sink.write(line: JSONValue.object(members).serializedString() + "\n")
    }

    /// A metadata value as one string: nested lists and dictionaries in swift-log's own notation.
    static func flattened(_ value: Logger.MetadataValue) -> String {
        switch value {
        case let .string(text): text
        case let .stringConvertible(convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }

    private static let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `2026-12-03T19:21:05.123Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(format)
    }
}
