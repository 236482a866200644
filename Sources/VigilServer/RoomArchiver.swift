import Foundation
import Logging
import ServiceLifecycle
import VigilCore

/// Archives incident channels once their incident has been resolved for the channel's
/// `archive_after`, at start and then every ``interval``.
///
/// Driven by the store (resolved incidents joined with their channels), not by timers, so a
/// restart or a second replica loses nothing, and a reopened incident keeps its channel. Two
/// replicas archiving the same channel at once is harmless: the second is told it is already
/// archived.
public final class RoomArchiver<C: Clock>: Service where C.Duration == Duration {
    let store: any IncidentRoomStore
    let poster: any AppPoster
    let policy: Policy
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    let interval: Duration
    /// Channels archived per pass at most; the rest wait for the next.
    let batchSize: Int

    public init(
        store: any IncidentRoomStore, poster: any AppPoster, policy: Policy, clock: C, now: @escaping @Sendable () -> Date,
        logger: Logger, interval: Duration = .seconds(60), batchSize: Int = 20
    ) {
        self.store = store
        self.poster = poster
        self.policy = policy
        self.clock = clock
        self.now = now
        self.logger = logger
        self.interval = interval
        self.batchSize = max(1, batchSize)
    }

    public func run() async throws {
        try await runPasses(every: interval, on: clock) { await self.pass() }
    }

    /// Archives what is due; returns how many channels were archived. Failures are logged and
    /// tried again next pass.
    @discardableResult
    public func pass() async -> Int {
        let due: [IncidentRoom]
        do {
            due = try await store.roomsDueForArchive(now: now(), limit: batchSize)
        } catch {
            logger.error("could not read incident channels to archive", metadata: ["error": "\(String(reflecting: error))"])
            return 0
        }
        var archived = 0
        for room in due {
            let text = IncidentText(policy: policy, now: now())
            let farewell = Message(lines: [
                [.text("\(policy.displayID(room.incident)) was resolved; this channel is archived \(text.time(now())). Its history stays.")]
            ])
            switch await poster.archive(room, farewell: farewell) {
            case .delivered, .dropped:
                archived += 1
            case let .rateLimited(_, reason), let .failed(reason, _):
                logger.warning(
                    "an incident channel was not archived; the next pass tries again",
                    metadata: ["incident": "\(policy.displayID(room.incident))", "platform": "\(room.platform)", "error": "\(reason)"])
            }
        }
        if archived > 0 { logger.info("incident channels archived", metadata: ["count": "\(archived)"]) }
        return archived
    }
}
