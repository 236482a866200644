import Foundation
import Logging
import Synchronization
import Testing
import VigilCore
import VigilServer
import VigilStore
import VigilTestSupport

/// A `Clock` whose sleeps end at once, moving a ``ManualWallClock`` to the deadline: a service
/// that sleeps until its next firing lives through days in milliseconds, and every wake-up is
/// recorded.
final class JumpingClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Swift.Duration
        func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    let wall: ManualWallClock
    let origin: Date
    private let wakes = Mutex<[Date]>([])

    init(wall: ManualWallClock) {
        self.wall = wall
        origin = wall.now
    }

    var now: Instant { Instant(offset: wall.now.duration(since: origin)) }
    var minimumResolution: Swift.Duration { .milliseconds(1) }
    var wakeTimes: [Date] { wakes.withLock { $0 } }

    func sleep(until deadline: Instant, tolerance: Swift.Duration?) async throws {
        try Task.checkCancellation()
        let target = origin.adding(deadline.offset)
        if target > wall.now { wall.advance(by: target.timeIntervalSince(wall.now)) }
        wakes.withLock { $0.append(target) }
        await Task.yield()
    }
}

@Suite struct DigestServiceTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!

    func utc(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar.date(from: DateComponents(year: 2026, month: month, day: day, hour: hour, minute: minute))!
    }

    func policy() throws -> Policy {
        var policy = Fixtures.policy
        policy.digest = try DigestSchedule.parse("09:00 America/Los_Angeles", defaultZone: .gmt).get()
        policy.timeZone = Self.losAngeles
        return policy
    }

    /// Waits for `condition`, checking every few milliseconds, for at most 10 seconds: the
    /// service runs on its own task and commits through the store's queue.
    func waitUntil(_ condition: () -> Bool) async throws {
        let giveUp = ContinuousClock.now + .seconds(10)
        while !condition(), ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition(), "gave up waiting")
    }

    /// The leads-channel posts in the outbox, first line of each.
    func digests(_ store: SQLiteIncidentStore) async throws -> [String] {
        try await store.claimOutbox(now: .distantFuture, limit: 100, worker: "test", leaseUntil: .distantFuture)
            .filter { $0.item.channel == .leads }
            .map { $0.item.message.plainText.split(separator: "\n").first.map(String.init) ?? "" }
    }

    @Test("the digest fires at 09:00 Los Angeles time every day across the fall-back change, reporting the day before")
    func firesAtLocalTimeAcrossDST() async throws {
        // Friday Oct 30, 20:00 PDT: this morning's digest is 11 hours old, too late to catch up.
        let vigil = try TestVigil(policy: try policy(), start: utc(10, 31, 3))
        defer { vigil.cleanUp() }
        try await vigil.withClient { client in
            _ = try await vigil.slack("open sev2 fraud Gift card fraud ring", client: client)
        }
        let clock = JumpingClock(wall: vigil.clock)
        var logger = Logger(label: "digest-test")
        logger.logLevel = .critical
        let service = DigestService(
            store: vigil.store, policy: try policy(), clock: clock, now: { vigil.clock.now }, outboxWritten: {}, logger: logger)
        let running = Task { try await service.run() }
        try await waitUntil { clock.wakeTimes.count >= 4 }
        running.cancel()
        _ = try? await running.value
        let wakes = Array(clock.wakeTimes.prefix(4))
        // 09:00 PDT is 16:00 UTC; from Nov 1, 09:00 PST is 17:00 UTC: 25 hours between the two.
        #expect(wakes == [utc(10, 31, 16), utc(11, 1, 17), utc(11, 2, 17), utc(11, 3, 17)])
        let posts = try await digests(vigil.store)
        #expect(Array(posts.prefix(3)).map { $0.components(separatedBy: " (").first } == [
            "Daily digest · 2026-10-30", "Daily digest · 2026-10-31", "Daily digest · 2026-11-01",
        ])
        // Nov 1 in Los Angeles is 25 hours long, and its digest covers all of them.
        #expect(posts[2].contains("(2026-11-01 00:00 "))
        #expect(posts[2].contains(" – 2026-11-02 00:00 "))
    }

    @Test("a digest missed shortly before start is posted once; a repeat for the same day is not")
    func catchUpAndOnlyOnce() async throws {
        // Saturday Oct 31, 10:00 PDT: this morning's 09:00 digest was missed an hour ago.
        let vigil = try TestVigil(policy: try policy(), start: utc(10, 31, 17))
        defer { vigil.cleanUp() }
        let clock = JumpingClock(wall: vigil.clock)
        var logger = Logger(label: "digest-test")
        logger.logLevel = .critical
        let service = DigestService(
            store: vigil.store, policy: try policy(), clock: clock, now: { vigil.clock.now }, outboxWritten: {}, logger: logger)
        try await service.post(firingAt: utc(10, 31, 16))
        let running = Task { try await service.run() }
        try await waitUntil { !clock.wakeTimes.isEmpty }
        running.cancel()
        _ = try? await running.value
        let posts = try await digests(vigil.store)
        #expect(posts.filter { $0.hasPrefix("Daily digest · 2026-10-30") }.count == 1)
        #expect(clock.wakeTimes.first == utc(11, 1, 17))
    }
}
