import Foundation
import NIOCore
import VigilJSON

/// `/incident report 365d` sent again and again on a connection of its own while a phase
/// runs: a lead pulling the year's figures, which must not hold up everyone else's commands.
///
/// One report is in flight at a time; the next goes as soon as the reply arrives. Each request
/// is signed as it is sent, with a trigger ID of its own (a repeated one would get the stored
/// reply): a report takes milliseconds or more and signing microseconds, so signing ahead, as
/// the phases' pools do, would buy nothing. Everything runs on the engine's event loop; the
/// async code reaches it through `NIOLoopBound`.
final class ReportLoop {
    /// The command; `report` takes `Nd` up to 366 days (commands/report.yaml), and responders,
    /// everyone in the load config, may run it.
    static let text = "report 365d"

    let eventLoop: any EventLoop
    private let host: String
    private let port: Int
    private let factory: SlackRequestFactory
    private var rng: SeededGenerator
    private let triggerPrefix: String
    private var serial = 0
    private var channel: (any Channel)?
    private var collector: ResponseCollector?
    private var sentAt: UInt64?
    private var stopping: EventLoopPromise<ReportLoopSample>?
    private var sample = ReportLoopSample()

    /// - Parameter phase: a number unique to the phase within the run; it keeps trigger IDs unique.
    init(eventLoop: any EventLoop, host: String, port: Int, phase: Int, seed: UInt64) {
        self.eventLoop = eventLoop
        self.host = host
        self.port = port
        factory = SlackRequestFactory(host: "\(host):\(port)")
        rng = SeededGenerator(seed: seed &+ UInt64(phase) &* 0x5851_F42D_4C95_7F2D)
        // Apart from the pools' `1_000_000_000 + phase`, so no trigger ID is shared with them.
        triggerPrefix = String(2_000_000_000 + phase)
    }

    private func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Connects and sends the first report; succeeds once it is on its way.
    func start() -> EventLoopFuture<Void> {
        HTTPClientConnection.connect(host: host, port: port, on: eventLoop).assumeIsolated().flatMapThrowing { channel in
            try self.adopt(channel)
        }.nonisolated()
    }

    private func adopt(_ channel: any Channel) throws {
        let collector = try channel.pipeline.syncOperations.handler(type: ResponseCollector.self)
        collector.onResponse = { [weak self] status, body, _ in self?.received(status, body) }
        collector.onClose = { [weak self] in self?.closed() }
        self.channel = channel
        self.collector = collector
        sendNext()
    }

    /// Sends no more. Succeeds with the sample once the report in flight has been answered, so
    /// that it does not run on into the next phase, or after `timeout`.
    func stop(timeout: TimeAmount = .seconds(30)) -> EventLoopFuture<ReportLoopSample> {
        let promise = eventLoop.makePromise(of: ReportLoopSample.self)
        stopping = promise
        if sentAt == nil {
            finish()
        } else {
            eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                guard let self, self.stopping != nil else { return }
                self.failure("report: no reply to the last one within \(timeout.nanoseconds / 1_000_000_000) s")
                self.finish()
            }
        }
        return promise.futureResult
    }

    private func finish() {
        guard let promise = stopping else { return }
        stopping = nil
        collector?.onClose = nil
        channel?.close(promise: nil)
        channel = nil
        promise.succeed(sample)
    }

    private func sendNext() {
        guard stopping == nil, let collector else { return }
        serial += 1
        let trigger = "\(triggerPrefix).\(String(serial)).\(String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16))"
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let request = factory.command(Self.text, triggerID: trigger, timestamp: timestamp, using: &rng)
        sentAt = now()
        collector.send(request)
    }

    /// A report is shown to its asker alone (`ephemeral`); its text opens with "Incident report"
    /// and counts the incidents opened in the period ("Opened N").
    private func received(_ status: UInt, _ body: ByteBuffer) {
        guard let sent = sentAt else { return }
        sentAt = nil
        if status == 200, let json = try? JSONValue.parse(body.readableBytesView), let text = json["text"]?.stringValue,
            text.contains("Incident report")
        {
            sample.latencies.append(now() - sent)
            if let opened = Self.openedCount(in: text) { sample.incidentsCovered = opened }
        } else {
            failure("report: HTTP \(status) \(String(buffer: body).prefix(160))")
        }
        if stopping != nil { finish() } else { sendNext() }
    }

    /// The connection closed under a report: count it, and go on with a new connection.
    private func closed() {
        channel = nil
        collector = nil
        if sentAt != nil {
            sentAt = nil
            failure("report: connection closed before the reply")
        }
        guard stopping == nil else { return finish() }
        eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(50)) {
            self.start().assumeIsolated().whenFailure { _ in self.failure("report: could not reconnect") }
        }
    }

    private func failure(_ description: String) {
        sample.errors += 1
        if sample.errorSamples.count < 3, !sample.errorSamples.contains(description) { sample.errorSamples.append(description) }
    }

    /// N in the first "Opened N" of the report's text.
    static func openedCount(in text: String) -> Int? {
        guard let range = text.range(of: "Opened ") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber || $0 == "," }.filter(\.isNumber)
        return Int(digits)
    }
}
