import Foundation
import Logging
import Synchronization
import Testing
import VigilJSON
import VigilServer

/// Log lines kept in memory, in the order written.
final class RecordingLogSink: LogSink {
    private let lines = Mutex<[String]>([])

    func write(line: String) { lines.withLock { $0.append(line) } }

    var all: [String] { lines.withLock { $0 } }

    /// Every line parsed as a JSON object; an issue for each one that does not parse.
    func objects(sourceLocation: SourceLocation = #_sourceLocation) -> [JSONValue] {
        all.compactMap { line in
            #expect(
                line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" }, "not one line: \(line)", sourceLocation: sourceLocation)
            let object = try? JSONValue.parse(line)
            #expect(object?.objectMembers != nil, "not a JSON object: \(line)", sourceLocation: sourceLocation)
            return object
        }
    }
}

/// Events a handler was given, for checking what a wrapper passes on (the text format's handler
/// writes to standard error, which a test cannot read back).
struct EventRecordingHandler: LogHandler {
    final class Events: Sendable {
        let events = Mutex<[LogEvent]>([])
        var all: [LogEvent] { events.withLock { $0 } }
    }

    let events: Events
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.metadata = metadata.merging(event.metadata ?? [:]) { $1 }
        events.events.withLock { $0.append(event) }
    }
}

/// `log_format: json` and the redaction both formats go through.
@Suite struct JSONLogHandlerTests {
    static let secret = "xoxb-0123456789-secret"

    static func logger(_ sink: RecordingLogSink, secrets: [String] = [secret]) -> Logger {
        Logger(label: "vigil.test") { label in
            VigilLogging.handler(label: label, format: .json, level: .trace, secrets: secrets, sink: sink)
        }
    }

    @Test func eachEntryIsOneJSONObjectWithTimeLevelLabelMessageAndMetadata() throws {
        // setup
        let sink = RecordingLogSink()
        var logger = Self.logger(sink)
        logger[metadataKey: "replica"] = "r1"
        // MUT
        logger.info("command applied", metadata: ["incident": "INC-7", "request": "slack:T1", "platform": "slack", "events": "2"])
        logger.warning("line\nbreak \"quoted\" é", metadata: ["msg": "shadow", "list": ["a", "b"]])
        // validate
        let objects = sink.objects()
        try #require(objects.count == 2)
        let first = try #require(objects[0].objectMembers)
        #expect(first.prefix(4).map(\.0) == ["ts", "level", "label", "msg"])
        #expect(objects[0]["level"]?.stringValue == "info")
        #expect(objects[0]["label"]?.stringValue == "vigil.test")
        #expect(objects[0]["msg"]?.stringValue == "command applied")
        for (key, value) in ["incident": "INC-7", "request": "slack:T1", "platform": "slack", "events": "2", "replica": "r1"] {
            #expect(objects[0][key]?.stringValue == value, "\(key)")
        }
        let ts = try #require(objects[0]["ts"]?.stringValue)
        #expect(ts.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(ts)")
        #expect(objects[1]["msg"]?.stringValue == "line\nbreak \"quoted\" é")
        #expect(objects[1]["meta.msg"]?.stringValue == "shadow")
        #expect(objects[1]["list"]?.stringValue == #"["a", "b"]"#)
    }

    @Test func secretsAreRedactedFromMessageMetadataAndErrorsInEitherFormat() throws {
        struct LeakyError: Error, CustomStringConvertible {
            var description: String { "POST https://x/\(JSONLogHandlerTests.secret) failed" }
        }
        // setup
        let sink = RecordingLogSink()
        var json = Self.logger(sink)
        json[metadataKey: "token"] = "\(Self.secret)"
        let events = EventRecordingHandler.Events()
        var text = Logger(label: "text") { _ in
            RedactingLogHandler(EventRecordingHandler(events: events), redactor: LogRedactor(secrets: [Self.secret, "1234567890"]))
        }
        text.logLevel = .trace
        text[metadataKey: "token"] = "\(Self.secret)"
        // MUT
        for logger in [json, text] {
            logger.error("sending with \(Self.secret)", metadata: ["url": "https://x/\(Self.secret)", "n": ["\(Self.secret)"]])
            logger.log(level: .debug, "failed", error: LeakyError())
        }
        // validate
        #expect(!sink.all.isEmpty && sink.all.allSatisfy { !$0.contains(Self.secret) && !$0.contains("0123456789") })
        #expect(sink.objects().first?["msg"]?.stringValue == "sending with [redacted]")
        #expect(sink.objects().first?["url"]?.stringValue == "https://x/[redacted]")
        let seen = events.all
        #expect(seen.count == 2)
        for event in seen {
            let everything = "\(event.message) \(event.metadata ?? [:]) \(event.error.map { "\($0)" } ?? "")"
            #expect(!everything.contains(Self.secret), "\(everything)")
        }
        #expect(seen.last?.metadata?["error.message"] == "POST https://x/[redacted] failed")
    }

    @Test func linesFromManyTasksAtOnceNeverInterleave() async throws {
        // setup: a real file descriptor, as standard error is in service
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-log-\(UUID().uuidString)").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            try? FileManager.default.removeItem(atPath: path)
        }
        let sink = FileDescriptorLogSink(descriptor: descriptor)
        let logger = Logger(label: "vigil") { label in
            VigilLogging.handler(label: label, format: .json, level: .trace, secrets: [], sink: sink)
        }
        let padding = String(repeating: "x", count: 5_000)
        // MUT
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for line in 0..<50 { logger.info("entry", metadata: ["task": "\(task)", "line": "\(line)", "padding": "\(padding)"]) }
                }
            }
        }
        // validate
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 16 * 50)
        var seen = Set<String>()
        for line in lines {
            let object = try JSONValue.parse(String(line))
            seen.insert("\(object["task"]?.stringValue ?? "?"):\(object["line"]?.stringValue ?? "?")")
        }
        #expect(seen.count == 16 * 50)
    }
}
