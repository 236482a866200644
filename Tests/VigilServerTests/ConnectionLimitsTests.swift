import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import VigilConfig
@testable import VigilServer
import VigilTestSupport

/// Finding 6: idle and slow connections were never closed; 20,400 idle sockets reached the
/// file-descriptor limit and `/healthz` stopped answering. Over real sockets on 127.0.0.1, with
/// short timeouts; time bounds are generous ("closed within 5 s"), never exact.
@Suite(.serialized) struct ConnectionLimitsTests {
    /// Long enough never to fire during a test.
    static let never: Duration = .seconds(600)

    static func settings(
        idle: Duration = never, header: Duration = never, read: Duration = never, maxConnections: Int = 1024
    ) -> HTTPSettings {
        HTTPSettings(idleTimeout: idle, headerTimeout: header, readTimeout: read, maxConnections: maxConnections)
    }

    /// Sends `text` a byte every 50 ms until the server closes the connection or 10 s pass.
    static func trickle(_ text: String, on connection: RawTCPConnection) -> Task<Void, Never> {
        Task {
            for character in text {
                guard !Task.isCancelled, await connection.send(String(character)) else { return }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    @Test func finding6_anIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        // 1.5 s, not less: the kept-alive connection must send its request before the timer that
        // starts at accept fires, and on a loaded CI machine that took over 300 ms.
        let vigil = try await ServedVigil.start(http: Self.settings(idle: .milliseconds(1500)))
        // setup
        let kept = try await RawTCPConnection(port: vigil.port)
        #expect(await kept.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        let silent = try await RawTCPConnection(port: vigil.port)
        let response = await kept.readResponse(within: 5)
        // MUT + validate: a connection that never sent a byte, and a kept-alive one after its answer
        #expect(response?.hasPrefix("HTTP/1.1 200") == true)
        #expect(await silent.waitUntilClosed(within: 5), "a silent connection was not closed")
        #expect(await kept.waitUntilClosed(within: 5), "a kept-alive connection was not closed once idle")
        await silent.close()
        await kept.close()
        await vigil.stop()
    }

    @Test func finding6_aSlowBodyIsCutOffAfterTheReadTimeout() async throws {
        let vigil = try await ServedVigil.start(http: Self.settings(read: .milliseconds(300)))
        let connection = try await RawTCPConnection(port: vigil.port)
        let head = """
            POST /slack/commands HTTP/1.1\r
            Host: 127.0.0.1\r
            Content-Type: application/x-www-form-urlencoded\r
            Content-Length: 1000\r
            \r
            text=
            """
        #expect(await connection.send(head))
        // A byte every 50 ms keeps the connection busy, but the body can never be complete in time.
        let trickle = Self.trickle(String(repeating: "a", count: 995), on: connection)
        #expect(await connection.waitUntilClosed(within: 5), "a body sent a byte at a time was never cut off")
        trickle.cancel()
        await connection.close()
        #expect(try await vigil.healthz()?.hasPrefix("HTTP/1.1 200") == true)
        await vigil.stop()
    }

    @Test func finding6_aSlowHeaderSenderIsCutOffAfterTheHeaderTimeout() async throws {
        let vigil = try await ServedVigil.start(http: Self.settings(header: .milliseconds(300)))
        let connection = try await RawTCPConnection(port: vigil.port)
        let headers = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + String(repeating: "X-Slow: a\r\n", count: 40) + "\r\n"
        let trickle = Self.trickle(headers, on: connection)
        #expect(await connection.waitUntilClosed(within: 5), "headers sent a byte at a time were never cut off")
        trickle.cancel()
        await connection.close()
        await vigil.stop()
    }

    @Test func finding6_withTheCapHeldBySlowlorisSocketsHealthzStillAnswers() async throws {
        // setup: the cap filled with connections that never finish a request: four silent, four
        // sending headers a byte at a time; no timeout would free one during the test.
        let cap = 8
        let vigil = try await ServedVigil.start(http: Self.settings(maxConnections: cap))
        var silent: [RawTCPConnection] = []
        for _ in 0..<4 { silent.append(try await RawTCPConnection(port: vigil.port)) }
        var trickling: [(RawTCPConnection, Task<Void, Never>)] = []
        for _ in 0..<4 {
            let connection = try await RawTCPConnection(port: vigil.port)
            trickling.append((connection, Self.trickle("GET / HTTP/1.1\r\n" + String(repeating: "X: y\r\n", count: 100), on: connection)))
        }
        // MUT: /healthz on new connections, more than the cap of them
        var answers: [String?] = []
        for _ in 0..<(cap + 2) { answers.append(try await vigil.healthz()) }
        // validate: every one answered, and stalled sockets made way for them
        #expect(answers.allSatisfy { $0?.hasPrefix("HTTP/1.1 200") == true }, "\(answers)")
        // Which stalled socket goes first depends on the order the event loops admitted them in.
        let stalled = silent + trickling.map(\.0)
        let closed = await withTaskGroup(of: Bool.self) { group in
            for connection in stalled { group.addTask { await connection.waitUntilClosed(within: 5) } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(closed >= 1, "the cap closed none of the stalled connections")
        for (connection, task) in trickling {
            task.cancel()
            await connection.close()
        }
        for connection in silent { await connection.close() }
        await vigil.stop()
    }
}

/// The cap fits the process's open-file limit, so the sockets cannot use up the descriptors first.
@Suite struct ConnectionCapFitsTheFileLimitTests {
    @Test func theCapIsLoweredBelowTheOpenFileLimit() {
        #expect(ConnectionLimits.effectiveMaxConnections(configured: 1024, fileLimit: 1024) == 960)
        #expect(ConnectionLimits.effectiveMaxConnections(configured: 1024, fileLimit: 65_536) == 1024)
        #expect(ConnectionLimits.effectiveMaxConnections(configured: 1024, fileLimit: nil) == 1024)
        #expect(ConnectionLimits.effectiveMaxConnections(configured: 10, fileLimit: 20) == 1)
    }

    #if canImport(Glibc)
    @Test func theSoftLimitIsRaisedTowardTheHardOneWhenTheCapNeedsIt() {
        // MUT
        let reported = ConnectionLimits.openFileLimit(raisingTo: 1_088)
        // validate: what it reports is the process's soft limit now, raised as far as allowed
        var limit = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        if limit.rlim_cur == rlim_t.max {
            #expect(reported == nil)
        } else {
            #expect(reported == Int(limit.rlim_cur))
            #expect(limit.rlim_cur >= min(limit.rlim_max, 1_088))
        }
    }
    #endif
}
