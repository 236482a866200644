import Foundation
import Logging
import ServiceLifecycle
import VigilConfig
import VigilCore

/// Deletes idempotency records and delivered channel posts older than their retention, at start
/// and then every ``interval``: they are only kept to answer a retried request and to show what
/// was posted, and would otherwise grow with every command for good.
///
/// Deletes go in batches of ``batchSize``, each its own short transaction, so a first pass over
/// a large backlog never holds the store's writer for long: commands get in between batches.
/// Incidents, events, and pending or dead-lettered posts are never touched.
public final class RetentionService<C: Clock>: Service where C.Duration == Duration {
    let store: any StoreMaintenance
    let settings: RetentionSettings
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    /// How often a pass runs.
    let interval: Duration
    /// Rows deleted per transaction.
    let batchSize: Int
    /// Where each pass is recorded for `/readyz`.
    let health: ServiceHealth?

    /// What one pass deleted.
    public struct Pass: Sendable, Equatable {
        public var requests: Int
        public var deliveredPosts: Int

        public init(requests: Int, deliveredPosts: Int) {
            self.requests = requests
            self.deliveredPosts = deliveredPosts
        }
    }

    public init(
        store: any StoreMaintenance, settings: RetentionSettings, clock: C, now: @escaping @Sendable () -> Date, logger: Logger,
        interval: Duration = .seconds(3_600), batchSize: Int = 500, health: ServiceHealth? = nil
    ) {
        self.health = health
        health?.register("retention", cycle: interval)
        self.store = store
        self.settings = settings
        self.clock = clock
        self.now = now
        self.logger = logger
        self.interval = interval
        self.batchSize = max(1, batchSize)
    }

    public func run() async throws {
        try await runPasses(every: interval, on: clock) { await self.pruneLogged() }
    }

    /// Prunes, logging a failure instead of stopping the service: the next pass tries again.
    func pruneLogged() async {
        do {
            let pass = try await prune()
            health?.succeeded("retention", at: now())
            if pass.requests > 0 || pass.deliveredPosts > 0 {
                logger.info(
                    "retention: pruned old records",
                    metadata: ["requests": "\(pass.requests)", "delivered_posts": "\(pass.deliveredPosts)"])
            }
        } catch {
            health?.failed("retention", at: now(), error: "\(error)")
            logger.error("retention pass failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// One pass at ``now``: deletes what is past its retention, a batch at a time.
    public func prune() async throws -> Pass {
        let at = now()
        let requests = try await inBatches { [store] limit in
            try await store.pruneRequests(createdBefore: at.addingTimeInterval(-Self.seconds(self.settings.requests)), limit: limit)
        }
        let posts = try await inBatches { [store] limit in
            try await store.pruneDeliveredPosts(
                deliveredBefore: at.addingTimeInterval(-Self.seconds(self.settings.deliveredPosts)), limit: limit)
        }
        return Pass(requests: requests, deliveredPosts: posts)
    }

    /// Runs `batch` until one comes back short; returns the total deleted.
    private func inBatches(_ batch: (Int) async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await batch(batchSize)
            total += deleted
            if deleted < batchSize { return total }
            // Let other work on this executor run between batches.
            await Task.yield()
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
