import NIOCore
import NIOHTTP1

/// Drives a pool of keep-alive connections through one phase at a time.
///
/// Everything runs on one event loop, so the schedule, the queue of due requests and the
/// connections need no locks; the async code reaches it through `NIOLoopBound`.
///
/// Open loop: request *slots* fall due at fixed times (`start + i / rate`) whatever the replies
/// do. A due slot waits in `pending` for a free connection; its latency runs from the slot's
/// intended time, so time spent queueing behind a slow server is counted (no coordinated
/// omission). Closed loop: each connection sends again as soon as its reply arrives.
///
/// A server that closes the connection after each reply (the peer's gunicorn sync workers)
/// gets a new connection at once in its place, as any client of such a server opens one; the
/// request then goes as soon as it is up, so the connect is in the throughput, not the latency.
final class LoadEngine {
    /// One connection of the pool and the request it carries, if any.
    private struct Connection {
        var channel: (any Channel)?
        var collector: ResponseCollector?
        var inFlight: InFlight?
        /// The last reply said `Connection: close`: the close that follows is no failure.
        var retiring = false
    }

    /// A request on the wire: what it was (nil action for a health check), when it was meant
    /// to go and when it went.
    private struct InFlight {
        var action: MixAction?
        var number: Int
        var intended: UInt64
        var sent: UInt64
    }

    /// The state of the phase being run.
    private final class Run {
        let plan: PhasePlan
        let promise: EventLoopPromise<PhaseSample>
        let start: UInt64
        let measureStart: UInt64
        let measureEnd: UInt64
        var sample = PhaseSample()
        var inFlight = 0
        // Open loop.
        var totalSlots = 0
        var nextSlot = 0
        var rate = 1
        var pending = CircularBuffer<UInt64>(initialCapacity: 1024)
        // Fill.
        var issued = 0
        var target = 0
        /// The next wake-up of the schedule, and the deadline that abandons the phase.
        var tick: Scheduled<Void>?
        var watchdog: Scheduled<Void>?

        init(plan: PhasePlan, promise: EventLoopPromise<PhaseSample>, start: UInt64) {
            self.plan = plan
            self.promise = promise
            self.start = start
            measureStart = start + plan.warmupNanos
            measureEnd = measureStart + plan.measureNanos
        }
    }

    let eventLoop: any EventLoop
    let host: String
    /// The servers' ports: connection `i` goes to `ports[i % ports.count]`, so several replicas
    /// behind no balancer share the pool evenly, as a round-robin balancer would share it.
    let ports: [Int]
    private var connections: [Connection] = []
    private var idle: [Int] = []
    private var mix = CommandMix(seed: 0)
    private var pool: SignedRequestPool?
    private let health: SignedRequest
    private var run: Run?
    private var closing = false
    /// The highest incident number any reply named: the next phase's follow-ups are signed
    /// for the numbers after it.
    private(set) var highestNumber = 0
    /// Incidents opened over the whole run.
    private(set) var openedTotal = 0

    init(eventLoop: any EventLoop, host: String, ports: [Int]) {
        precondition(!ports.isEmpty, "a load engine needs a server")
        self.eventLoop = eventLoop
        self.host = host
        self.ports = ports
        health = SlackRequestFactory(host: "\(host):\(ports[0])").get("/healthz")
    }

    convenience init(eventLoop: any EventLoop, host: String, port: Int) {
        self.init(eventLoop: eventLoop, host: host, ports: [port])
    }

    private func port(of index: Int) -> Int { ports[index % ports.count] }

    private func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    // MARK: - Connections

    /// Opens `count` connections; succeeds when all are up.
    func connect(count: Int) -> EventLoopFuture<Void> {
        connections = Array(repeating: Connection(), count: count)
        let futures = (0..<count).map { index in
            HTTPClientConnection.connect(host: host, port: port(of: index), on: eventLoop).assumeIsolated().map { channel in
                self.adopt(channel, at: index)
            }.nonisolated()
        }
        return EventLoopFuture.andAllSucceed(futures, on: eventLoop)
    }

    private func adopt(_ channel: any Channel, at index: Int) {
        guard let collector = try? channel.pipeline.syncOperations.handler(type: ResponseCollector.self) else {
            channel.close(promise: nil)
            return
        }
        // Weak: a connection may report its close after the run has let go of the engine.
        collector.onResponse = { [weak self] status, body, keepAlive in
            self?.received(status, body, keepAlive: keepAlive, on: index)
        }
        collector.onClose = { [weak self] in self?.closed(index) }
        connections[index] = Connection(channel: channel, collector: collector, inFlight: nil)
        idle.append(index)
        if let run {
            resume(run)
            // A closed-loop phase may have ended while every connection was being replaced.
            finishIfDone(run)
        }
    }

    /// A connection closed: after a `Connection: close` reply that is expected, and a new
    /// connection takes its place at once. Otherwise (Vigil never closes keep-alive connections
    /// on its own) it is a failure: its request counts as an error, and a new connection takes
    /// its place after a pause, so a server that refuses connections is not hammered.
    private func closed(_ index: Int) {
        idle.removeAll { $0 == index }
        let expected = connections[index].retiring && connections[index].inFlight == nil
        if let request = connections[index].inFlight, let run {
            connections[index].inFlight = nil
            run.inFlight -= 1
            record(request, outcome: .error("connection closed before the reply"), at: now(), in: run)
            finishIfDone(run)
        }
        connections[index] = Connection()
        guard !closing else { return }
        if expected {
            reconnect(index)
        } else {
            eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(50)) { self.reconnect(index) }
        }
    }

    private func reconnect(_ index: Int) {
        HTTPClientConnection.connect(host: host, port: port(of: index), on: eventLoop).assumeIsolated()
            .whenComplete { result in
                switch result {
                case let .success(channel):
                    // Shut down while it was connecting: nothing adopts it.
                    if self.closing { channel.close(promise: nil) } else { self.adopt(channel, at: index) }
                case .failure: self.closed(index)
                }
            }
    }

    /// Closes every connection and stops reconnecting.
    func shutdown() -> EventLoopFuture<Void> {
        closing = true
        let futures = connections.compactMap { $0.channel?.close() }
        return EventLoopFuture.andAllComplete(futures, on: eventLoop)
    }

    // MARK: - Phases

    /// Runs one phase; `pool` holds its signed commands (nil for health checks).
    func run(_ plan: PhasePlan, pool: SignedRequestPool?) -> EventLoopFuture<PhaseSample> {
        precondition(run == nil, "one phase at a time")
        self.pool = pool
        mix.reset(seed: plan.seed)
        let promise = eventLoop.makePromise(of: PhaseSample.self)
        // A small lead so the first slots are not already late when the loop gets to them.
        let run = Run(plan: plan, promise: promise, start: now() + 2_000_000)
        self.run = run
        switch plan.kind {
        case let .openLoop(rate):
            mix.opensOnly = false
            run.rate = rate
            run.totalSlots = Int((UInt64(rate) * (plan.warmupNanos + plan.measureNanos)) / 1_000_000_000)
            run.tick = schedule(at: run.start) { self.releaseDueSlots(run) }
            run.watchdog = schedule(at: run.measureEnd + plan.graceNanos) { self.abandon(run) }
        case .closedLoop, .health, .openOnly:
            mix.opensOnly = plan.kind == .openOnly
            run.tick = schedule(at: run.start) { self.resume(run) }
            run.watchdog = schedule(at: run.measureEnd + plan.graceNanos) { self.abandon(run) }
        case let .fill(opens):
            mix.opensOnly = true
            run.target = opens
            run.tick = schedule(at: run.start) { self.resume(run) }
            // Only a server that stopped answering takes this long (it would be under 100 opens/s).
            let limit = UInt64(max(60, opens / 100)) * 1_000_000_000
            run.watchdog = schedule(at: run.start + limit) { self.abandon(run) }
        }
        return promise.futureResult
    }

    private func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> Scheduled<Void> {
        eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(deadline), body)
    }

    /// Open loop: moves every slot whose time has come into `pending`, sends what free
    /// connections allow, and wakes again at the next slot's time.
    private func releaseDueSlots(_ run: Run) {
        guard self.run === run else { return }
        let now = now()
        while run.nextSlot < run.totalSlots, slotTime(run.nextSlot, run) <= now {
            run.pending.append(slotTime(run.nextSlot, run))
            run.nextSlot += 1
        }
        resume(run)
        if run.nextSlot < run.totalSlots {
            run.tick = schedule(at: slotTime(run.nextSlot, run)) { self.releaseDueSlots(run) }
        } else {
            finishIfDone(run)
        }
    }

    private func slotTime(_ slot: Int, _ run: Run) -> UInt64 {
        run.start + UInt64(slot) * 1_000_000_000 / UInt64(run.rate)
    }

    /// Puts free connections to work, as far as the phase wants more requests now.
    private func resume(_ run: Run) {
        guard self.run === run, now() >= run.start else { return }
        while let index = idle.last {
            let intended: UInt64
            switch run.plan.kind {
            case .openLoop:
                guard let slot = run.pending.popFirst() else { return }
                intended = slot
            case .closedLoop, .health, .openOnly:
                guard now() < run.measureEnd else { return }
                intended = now()
            case .fill:
                guard run.issued < run.target else { return }
                run.issued += 1
                intended = now()
            }
            idle.removeLast()
            send(on: index, intended: intended, run)
        }
    }

    private func send(on index: Int, intended: UInt64, _ run: Run) {
        let request: SignedRequest
        var action: MixAction?
        var number = 0
        if run.plan.kind == .health {
            request = health
        } else {
            let next = mix.next()
            action = next.action
            number = next.number
            request = pool!.take(next.action, number: next.number)
        }
        connections[index].inFlight = InFlight(action: action, number: number, intended: intended, sent: now())
        run.inFlight += 1
        connections[index].collector?.send(request)
    }

    private func received(_ status: UInt, _ body: ByteBuffer, keepAlive: Bool, on index: Int) {
        guard let request = connections[index].inFlight, let run else { return }
        let now = now()
        connections[index].inFlight = nil
        run.inFlight -= 1
        let outcome: ReplyOutcome
        if let action = request.action {
            outcome = CommandMix.classify(action, status: status, body: body)
            mix.completed(action, number: request.number, outcome: outcome)
        } else {
            outcome = status == 200 ? .success(number: nil) : .error("GET /healthz: HTTP \(status)")
        }
        record(request, outcome: outcome, at: now, in: run)
        if keepAlive {
            idle.append(index)
        } else {
            // Closing it here, not waiting for the server's FIN, keeps the next request off a
            // connection that is going away; `closed` then opens the replacement.
            connections[index].retiring = true
            connections[index].channel?.close(promise: nil)
        }
        resume(run)
        finishIfDone(run)
    }

    /// Counts a reply (or its absence) in the phase's sample. `abandoned`: the request got no
    /// reply before the phase was given up, so it counts even though it ends after the window.
    private func record(_ request: InFlight, outcome: ReplyOutcome, at now: UInt64, in run: Run, abandoned: Bool = false) {
        if case let .success(number?) = outcome {
            highestNumber = max(highestNumber, number)
            openedTotal += 1
            run.sample.opened += 1
        }
        if now >= run.measureStart, now <= run.measureEnd { run.sample.completedInWindow += 1 }
        let measured: Bool
        let latency: UInt64
        switch run.plan.kind {
        case .openLoop:
            measured = request.intended >= run.measureStart
            latency = now &- request.intended
        case .closedLoop, .health, .openOnly:
            measured = request.sent >= run.measureStart && (abandoned || now <= run.measureEnd)
            latency = now &- request.sent
        case .fill:
            measured = false
            latency = 0
        }
        // Distinct descriptions only: an overload repeats one kind of error thousands of times.
        if case let .error(description) = outcome, run.sample.errorSamples.count < 5,
            !run.sample.errorSamples.contains(description)
        {
            run.sample.errorSamples.append(description)
        }
        guard measured else { return }
        run.sample.latencies.append(latency)
        if let action = request.action { run.sample.actions[action.rawValue] += 1 }
        switch outcome {
        case .success: break
        case .refusal: run.sample.refusals += 1
        case .error: run.sample.errors += 1
        }
    }

    private func finishIfDone(_ run: Run) {
        guard self.run === run, run.inFlight == 0 else { return }
        let done: Bool
        switch run.plan.kind {
        case .openLoop: done = run.nextSlot >= run.totalSlots && run.pending.isEmpty
        case .closedLoop, .health, .openOnly: done = now() >= run.measureEnd
        case .fill: done = run.issued >= run.target
        }
        if done { finish(run) }
    }

    /// The grace is over: requests still queued count as errors, with the time they waited as
    /// their latency (a lower bound); connections still waiting for a reply are closed, their
    /// requests counted the same way, and replaced.
    private func abandon(_ run: Run) {
        guard self.run === run else { return }
        let now = now()
        while let intended = run.pending.popFirst() {
            guard intended >= run.measureStart else { continue }
            run.sample.unsent += 1
            run.sample.errors += 1
            run.sample.latencies.append(now - intended)
        }
        run.nextSlot = run.totalSlots
        for index in connections.indices {
            guard let request = connections[index].inFlight else { continue }
            connections[index].inFlight = nil
            run.inFlight -= 1
            record(request, outcome: .error("no reply within the grace period"), at: now, in: run, abandoned: true)
            connections[index].channel?.close(promise: nil)
        }
        finish(run)
    }

    private func finish(_ run: Run) {
        run.tick?.cancel()
        run.watchdog?.cancel()
        if case .fill = run.plan.kind {
            // The fill has no warm-up or window: its rate is opens over its whole length.
            run.sample.windowNanos = now() - run.start
            run.sample.completedInWindow = run.sample.opened
        } else {
            run.sample.windowNanos = run.plan.measureNanos
        }
        run.sample.signedLate = pool?.signedLate ?? 0
        self.run = nil
        pool = nil
        run.promise.succeed(run.sample)
    }
}
