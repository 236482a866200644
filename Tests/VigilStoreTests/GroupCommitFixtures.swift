import Foundation
import Synchronization
import VigilCore
@testable import VigilStore

/// Holds the writer's first group at its `COMMIT` until released, so the units submitted
/// meanwhile queue up and form the next group: groups made on purpose, not by timing.
final class CommitGate: Sendable {
    private struct State {
        var holdNext = true
        var held = false
        var released = false
        var committed: [Int] = []
        var failNext: (any Error)?
    }
    private let state: Mutex<State>
    private let release = DispatchSemaphore(value: 0)

    /// `holdingFirst: false` lets groups through until ``holdNextGroup()``.
    init(holdingFirst: Bool = true) {
        state = Mutex(State(holdNext: holdingFirst))
    }

    /// Holds the next group to reach its `COMMIT`, until ``open()``.
    func holdNextGroup() { state.withLock { $0.holdNext = true; $0.held = false; $0.released = false } }

    var hooks: StoreHooks {
        StoreHooks(
            beforeCommit: { [self] _ in
                let hold = state.withLock { state in
                    defer { state.holdNext = false }
                    if state.holdNext { state.held = true }
                    return state.holdNext
                }
                // The writer's own thread, never the cooperative pool: blocking here is the point.
                if hold { release.wait() }
                let failure = state.withLock { state in
                    defer { state.failNext = nil }
                    return state.failNext
                }
                if let failure { throw failure }
            },
            afterCommit: { [self] size in state.withLock { $0.committed.append(size) } })
    }

    /// True while the first group waits at its `COMMIT`.
    var isHolding: Bool { state.withLock { $0.held && !$0.released } }
    /// Sizes of the groups committed so far, in order.
    var committed: [Int] { state.withLock { $0.committed } }

    /// Makes the next group's `COMMIT` fail with `error`.
    func failNextCommit(with error: any Error) { state.withLock { $0.failNext = error } }

    /// Lets the held group commit.
    func open() {
        state.withLock { $0.released = true }
        release.signal()
    }
}

/// Waits (polling, with a generous bound) until `condition` holds; fails the test if it never does.
func waitUntil(_ what: String, timeout: Duration = .seconds(120), _ condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: timeout)
    while !condition() {
        guard clock.now < end else { throw WaitTimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(1))
    }
}

struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting until \(what)" }
}

/// A failure a test's `decide` throws.
struct RefusedByTest: Error, Equatable {}

/// Submits `units` to `store` one after another, each only once the one before is queued at the
/// writer, so they form one group in this order behind a held one. Returns their tasks.
func submitInOrder<Answer: Sendable>(
    _ units: [StoreUnit<Answer>], to store: SQLiteIncidentStore
) async throws -> [Task<Answer, any Error>] {
    var tasks: [Task<Answer, any Error>] = []
    for unit in units {
        let queued = store.writer.waitingUnits
        tasks.append(Task { try await store.perform(unit) })
        try await waitUntil("unit \(tasks.count) is queued") { store.writer.waitingUnits == queued + 1 }
    }
    return tasks
}

/// A unit that notes `text` on incident `number` as it finds it inside the transaction (as the
/// command desk does), answering the sequence it wrote.
func noteUnit(_ number: Int, _ text: String, by user: UserRef = ben, at time: Date = at(30)) -> StoreUnit<Int> {
    StoreUnit(key: nil, target: .incident(number)) { input in
        guard var incident = input.incident else { throw RefusedByTest() }
        let before = incident.lastSequence
        let event = EventChain.append(.noted, by: user, at: time, payload: ["text": text], to: &incident)
        return .write(UnitOfWork(incident: incident, expectedSequence: before, events: [event], outbox: [], clocks: []), event.sequence)
    }
}

/// A unit keyed `.once(key)` that posts `posts` messages unless its key was done; `honoursKey:
/// false` writes whatever it finds (to break the key's uniqueness on purpose).
func onceUnit(_ key: String, posts: Int, honoursKey: Bool = true) -> StoreUnit<Bool> {
    StoreUnit(key: .once(key), target: .none) { input in
        if honoursKey && input.alreadyDone { return .answer(false) }
        return .write(
            UnitOfWork(outbox: (0..<posts).map { OutboxItem(channel: .leads, incident: nil, message: message("post \($0 + 1)")) }), true)
    }
}

/// Opens a store on `path` with `hooks`, its clock stopped at `t0`.
func openStore(_ path: String, hooks: StoreHooks) throws -> SQLiteIncidentStore {
    try SQLiteIncidentStore.open(path: path, now: { t0 }, hooks: hooks)
}

/// A count several tasks add to.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
