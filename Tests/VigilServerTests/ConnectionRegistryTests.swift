import NIOCore
import NIOEmbedded
import Testing
@testable import VigilServer

/// The connection cap's choice, without sockets: who makes way for a new connection.
@Suite struct ConnectionRegistryTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func at(_ milliseconds: Int64) -> NIODeadline { start + .milliseconds(milliseconds) }

    static func id(_ admission: ConnectionRegistry.Admission) -> Int? {
        if case let .admitted(id, _) = admission { return id }
        return nil
    }

    static func evicted(_ admission: ConnectionRegistry.Admission) -> (any Channel)? {
        if case let .admitted(_, evicted) = admission { return evicted }
        return nil
    }

    @Test func atTheCapTheConnectionWaitingLongestMakesWayAndOnlyBusyOnesAreRefused() throws {
        // setup: three connections, the cap
        let registry = ConnectionRegistry(limit: 3)
        let channels = (0..<5).map { _ in EmbeddedChannel() }
        let first = try #require(Self.id(registry.admit(channels[0], now: Self.at(0)).admission))
        let second = try #require(Self.id(registry.admit(channels[1], now: Self.at(10)).admission))
        let third = try #require(Self.id(registry.admit(channels[2], now: Self.at(20)).admission))
        // The first is answering a request: it is not the one to go, the second is.
        registry.setAnswering(first, true, now: Self.at(30))
        // MUT
        let (fourth, report) = registry.admit(channels[3], now: Self.at(40))
        // validate
        #expect(Self.evicted(fourth) === channels[1])
        #expect(report)
        #expect(registry.count == 3)
        registry.remove(second)  // its close arriving later changes nothing
        #expect(registry.count == 3)
        // With every connection answering, a new one is refused.
        registry.setAnswering(third, true, now: Self.at(50))
        registry.setAnswering(try #require(Self.id(fourth)), true, now: Self.at(50))
        let (fifth, reportAgain) = registry.admit(channels[4], now: Self.at(60))
        if case .refused = fifth {} else { Issue.record("expected a refusal, got \(fifth)") }
        #expect(!reportAgain, "the cap is logged once a minute, not once a connection")
        // Once one closes, there is room again.
        registry.remove(first)
        #expect(Self.id(registry.admit(channels[4], now: Self.at(70)).admission) != nil)
    }
}
