import ServiceLifecycle

/// Runs `pass` at once and then every `interval` on `clock`, until graceful shutdown: the
/// loop of the services that sweep the store on a timer (retention, channel archiving). A
/// shutdown that interrupts the sleep is a normal end, not a failure.
func runPasses<C: Clock>(every interval: Duration, on clock: C, _ pass: @escaping @Sendable () async -> Void) async throws
where C.Duration == Duration {
    do {
        try await cancelWhenGracefulShutdown {
            while true {
                await pass()
                try await clock.sleep(for: interval)
            }
        }
    } catch is CancellationError {
        // Shutdown interrupted the sleep.
    }
}
