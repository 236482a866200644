/// Lets one command at a time through to a given incident, in arrival order.
///
/// Without it, commands on one incident race: each reads the incident, decides, and all but one
/// lose the write and decide again, round after round (ten concurrent notes are ten rounds of
/// ten reads). Queued here, each decides on the state its predecessor left and commits first
/// time; ``ConflictBackoff`` is left for the races this process cannot see (the scheduler, or
/// another replica on the same database).
actor IncidentGate {
    /// Per incident: the commands waiting behind the one inside (the key is present while one is).
    private var waiting: [Int: [CheckedContinuation<Void, Never>]] = [:]

    /// Waits until no other command is inside `incident`, then enters it.
    func enter(_ incident: Int) async {
        guard waiting[incident] != nil else {
            waiting[incident] = []
            return
        }
        await withCheckedContinuation { waiting[incident, default: []].append($0) }
    }

    /// Leaves `incident`, letting the next waiting command in.
    func leave(_ incident: Int) {
        guard var queue = waiting[incident] else { return }
        if queue.isEmpty {
            waiting[incident] = nil
        } else {
            let next = queue.removeFirst()
            waiting[incident] = queue
            next.resume()
        }
    }

    /// Runs `body` inside `incident` (directly when `incident` is `nil`).
    nonisolated func inside<T: Sendable>(_ incident: Int?, _ body: () async throws -> T) async throws -> T {
        guard let incident else { return try await body() }
        await enter(incident)
        do {
            let result = try await body()
            await leave(incident)
            return result
        } catch {
            await leave(incident)
            throw error
        }
    }
}
