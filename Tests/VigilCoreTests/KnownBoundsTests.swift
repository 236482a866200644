import Foundation
import Testing
import VigilCore
import VigilTestSupport

/// Finding 2 (the `--known` part): `open … --known` 30 days back, or in year 1, flooded on-call
/// with catch-up alerts. `--known` may be neither in the future nor further back than
/// `known_max_age` (default 30 days).
@Suite("Finding 2: --known bounds")
struct KnownBoundsTests {
    let parser: CommandParser

    init() throws {
        parser = try Fixtures.parser()
    }

    /// Opens with `--known "known"` at ``Fixtures/t0`` (2026-11-28 21:40 UTC) under `policy`.
    func open(known: String, policy: Policy = Fixtures.policy) throws -> Outcome {
        let command = try parser.parse("open sev1 fraud Card testing spike --known \"\(known)\"")
        let context = CommandContext(policy: policy, now: Fixtures.t0, actor: Fixtures.ava, platform: "slack", channel: "ts-incidents")
        return try Lifecycle.planOpen(command, context: context).outcome(number: 1)
    }

    func refusal(known: String, policy: Policy = Fixtures.policy) -> UserError? {
        do {
            _ = try open(known: known, policy: policy)
            return nil
        } catch let error as UserError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("the default limit is 30 days")
    func defaultLimit() {
        #expect(Policy.defaults.knownMaxAge == .seconds(30 * 86_400))
    }

    @Test("a time 30 days back, less a minute, is accepted and starts the clocks there")
    func withinTheLimit() throws {
        let outcome = try open(known: "2026-10-29 21:41")
        #expect(outcome.incident.knownAt == TimeText.parse("2026-10-29 21:41", in: .gmt))
    }

    @Test("a time more than 30 days back is refused, saying why and giving the usage", arguments: [
        "2026-10-29 21:39", "2026-10-01 00:00", "2000-01-01 00:00", "0001-01-01 00:00",
    ])
    func beyondTheLimit(known: String) throws {
        let error = try #require(refusal(known: known))
        #expect(error.message.contains("is more than 30 d ago; it may be at most 30 d back (known_max_age in the config)"))
        #expect(error.usage?.hasPrefix("open") == true)
    }

    @Test("a time in the future is refused; a minute of clock difference is not", arguments: [
        ("2026-11-28 21:42", true), ("9999-12-31 23:59", true), ("2026-11-28 21:41", false),
    ])
    func future(known: String, refused: Bool) throws {
        let error = refusal(known: known)
        #expect((error != nil) == refused)
        if refused { #expect(error?.message.contains("--known is in the future") == true) }
    }

    @Test("the limit follows known_max_age")
    func configuredLimit() throws {
        var policy = Fixtures.policy
        policy.knownMaxAge = .seconds(7 * 86_400)
        #expect(try open(known: "2026-11-22 09:00", policy: policy).incident.number == 1)
        let error = try #require(refusal(known: "2026-11-20 09:00", policy: policy))
        #expect(error.message.contains("is more than 7 d ago"))
    }
}
