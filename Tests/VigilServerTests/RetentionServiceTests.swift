import Foundation
import Logging
import Testing
import VigilConfig
import VigilCore
import VigilServer
import VigilTestSupport

/// Finding 7 (retention): idempotency rows and delivered posts are pruned after their retention,
/// by a pass run with an injected `now`.
@Suite struct RetentionServiceTests {
    static let day: TimeInterval = 86_400

    func invocation(_ text: String, requestID: String) -> Invocation {
        Invocation(
            platform: "slack", user: Fixtures.ava, channelName: "ts", channelID: "C1", command: "/incident", text: text,
            responseURL: nil, requestID: requestID)
    }

    @Test func finding7_requestsAndDeliveredPostsArePrunedAfterTheirRetention() async throws {
        // setup: two commands at t0, their posts delivered at t0; a third command on day 20 whose
        // posts stay pending
        let vigil = try TestVigil()
        defer { vigil.cleanUp() }
        _ = await vigil.app.desk.handle(invocation("open sev2 fraud Card testing", requestID: "r1"))
        _ = await vigil.app.desk.handle(invocation("escalate 1 spreading", requestID: "r2"))
        let delivered = try await vigil.app.delivery.deliverDue().delivered
        #expect(delivered >= 2)
        vigil.clock.advance(by: 20 * Self.day)
        _ = await vigil.app.desk.handle(invocation("escalate 1 still spreading", requestID: "r3"))
        let pending = try await vigil.store.outboxHealth().pending
        #expect(pending >= 1)
        let clock = vigil.clock
        var logger = Logger(label: "retention-test")
        logger.logLevel = .critical
        let service = RetentionService(
            store: vigil.store, settings: RetentionSettings(requests: .seconds(30 * 86_400), deliveredPosts: .seconds(25 * 86_400)),
            clock: ContinuousClock(), now: { clock.now }, logger: logger, batchSize: 1)
        // MUT: day 29, nothing is old enough for requests; the day-0 posts are past 25 days
        clock.advance(by: 9 * Self.day)
        let early = try await service.prune()
        #expect(early == RetentionService<ContinuousClock>.Pass(requests: 0, deliveredPosts: delivered))
        #expect(try await vigil.store.storedRequest(requestID: "slack:r1") != nil)
        // MUT: day 31, the day-0 requests go; the day-20 one and the pending post stay
        clock.advance(by: 2 * Self.day)
        let later = try await service.prune()
        // validate
        #expect(later == RetentionService<ContinuousClock>.Pass(requests: 2, deliveredPosts: 0))
        #expect(try await vigil.store.storedRequest(requestID: "slack:r1") == nil)
        #expect(try await vigil.store.storedRequest(requestID: "slack:r3") != nil)
        #expect(try await vigil.store.outboxHealth().pending == pending, "pending posts are never pruned")
        #expect(try await vigil.store.events(of: 1).count == 3, "events are never pruned")
    }

    @Test func theDefaultsKeepThirtyDays() {
        #expect(RetentionSettings.defaults.requests == .seconds(30 * 86_400))
        #expect(RetentionSettings.defaults.deliveredPosts == .seconds(30 * 86_400))
    }
}
