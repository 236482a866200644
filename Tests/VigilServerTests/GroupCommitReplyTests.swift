import Foundation
import HummingbirdTesting
import Synchronization
import Testing
import VigilCore
import VigilServer
import VigilStore
import VigilTestSupport

/// A reply is never sent before the unit it reports is durable: the store resumes a command only
/// after its group's `COMMIT` has returned.
@Suite struct GroupCommitReplyTests {
    /// When each group's `COMMIT` returned, on the writer.
    final class Commits: Sendable {
        let returned = Mutex<[ContinuousClock.Instant]>([])
    }

    @Test func theReplyArrivesOnlyAfterItsCommitReturned() async throws {
        // setup: every COMMIT is delayed by 300 ms
        let commits = Commits()
        let hooks = StoreHooks(
            beforeCommit: { _ in Thread.sleep(forTimeInterval: 0.3) },
            afterCommit: { _ in commits.returned.withLock { $0.append(ContinuousClock.now) } })
        let vigil = try TestVigil(storeHooks: hooks)
        defer { vigil.cleanUp() }
        // MUT
        let (status, reply, repliedAt) = try await vigil.withClient { client in
            let sent = ContinuousClock.now
            let (status, reply) = try await vigil.slack("open sev1 fraud Card testing spike", client: client)
            return (status, reply, (sent, ContinuousClock.now))
        }
        // validate
        #expect(status == .ok)
        #expect(reply.text.hasPrefix("INC-1 opened"))
        let committed = try #require(commits.returned.withLock { $0 }.first)
        #expect(committed >= repliedAt.0 + .milliseconds(300), "the COMMIT was held for 300 ms")
        #expect(repliedAt.1 >= committed, "the reply came \(committed - repliedAt.1) before its COMMIT returned")
        #expect(try await vigil.store.incident(1) != nil)
    }
}
