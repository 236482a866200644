import Foundation
import HummingbirdTesting
import Testing
import VigilCore
import VigilServer
import VigilTestSupport

/// The dashboard in a real browser: headless Chromium (Debian's `chromium`, which `make test`
/// installs) follows a sign-in link to a Vigil listening on loopback, with fixture incidents.
/// The page must show the incidents, tick their countdowns with its script, draw the charts and
/// refresh in place; screenshots (desktop and phone widths) are saved under
/// `.build/test-output/dashboard/`.
@Suite struct DashboardBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let outputDirectory = Fixtures.repositoryRoot.appendingPathComponent(".build/test-output/dashboard")

    @Test("headless Chromium signs in and sees the incidents, live countdowns and the charts, refreshed in place")
    func chromiumShowsTheDashboard() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.chromium),
            "headless Chromium is missing: install Debian's chromium package (make test installs it)")
        let vigil = try TestVigil(publicURL: DashboardEndToEndTests.publicURL)
        defer { vigil.cleanUp() }
        try await vigil.withLiveClient { client in
            // setup: two weeks of history, then what is open now
            try await Self.openFixtureIncidents(vigil, client: client)
            let port = try #require(client.port)
            let token = try await DashboardEndToEndTests.signInToken(vigil, as: Fixtures.ava, client: client)
            let link = "http://127.0.0.1:\(port)/dashboard/login?token=\(token)"

            // MUT: the page after 35 s of the browser's (virtual) time: past one refresh
            let dom = try await Self.chromium(["--virtual-time-budget=35000", "--dump-dom", link])
            // validate
            #expect(dom.contains("Signed in as <b>@ava</b>"), "\(dom.prefix(2_000))")
            for id in ["INC-4", "INC-5", "INC-6", "INC-7"] { #expect(dom.contains("<b>\(id)</b>"), "\(id) is listed") }
            #expect(dom.contains("Card testing spike on checkout"))
            #expect(!dom.contains("Grooming report"), "Ava is not cleared for the restricted case")
            #expect(dom.contains("live"), "the script ran")
            let ticked = dom.components(separatedBy: "data-ticked=\"true\"").count - 1
            #expect(ticked >= 3, "each countdown is live: \(ticked)")
            #expect(
                dom.range(of: #"class="countdown breached"[^>]*>\d+m \d\ds overdue<"#, options: .regularExpression) != nil,
                "a breached clock counts up, in red")
            #expect(dom.range(of: #">in \d+m \d\ds<"#, options: .regularExpression) != nil, "a running clock counts down by the second")
            #expect(dom.contains("data-refreshed=\"1\""), "the page refreshed in place once in 35 s")
            let charts = dom.components(separatedBy: "<svg class=\"chart").count - 1
            #expect(charts >= 4, "charts drawn: \(charts)")
            #expect(dom.contains("<rect class=\"bar "), "compliance bars")
            #expect(dom.contains("<polyline class=\"resolved\""), "the trend line")

            // MUT: screenshots at a desktop's and a phone's width
            try FileManager.default.createDirectory(at: Self.outputDirectory, withIntermediateDirectories: true)
            for (name, size) in [("dashboard.png", "1280,1800"), ("dashboard-phone.png", "390,2400")] {
                let file = Self.outputDirectory.appendingPathComponent(name)
                try? FileManager.default.removeItem(at: file)
                _ = try await Self.chromium(["--virtual-time-budget=3000", "--window-size=\(size)", "--screenshot=\(file.path)", link])
                // validate: a PNG of some substance
                let data = try Data(contentsOf: file)
                #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(name) is a PNG")
                #expect(data.count > 20_000, "\(name) shows a page, not a blank: \(data.count) bytes")
            }
        }
    }

    /// Resolved incidents over the last two weeks (for MTTA, MTTR and compliance), then four
    /// open ones at the test clock's now: a breached ack, a legal clock, a restricted case and
    /// an acknowledged one.
    static func openFixtureIncidents(_ vigil: TestVigil, client: any TestClientProtocol) async throws {
        func send(_ text: String, as user: UserRef = Fixtures.ava) async throws {
            let (status, reply) = try await vigil.slack(text, as: user, client: client)
            #expect(status == .ok && reply.responseType != nil && !reply.text.contains("Usage"), "\(text): \(reply.text)")
        }
        vigil.clock.advance(by: -21 * 86_400)
        for (index, (ackMinutes, resolveHours)) in [(3.0, 2.0), (12.0, 6.0), (2.0, 30.0)].enumerated() {
            try await send("open sev2 harassment Harassment wave \(index + 1)")
            vigil.clock.advance(by: ackMinutes * 60)
            try await send("ack INC-\(index + 1)")
            vigil.clock.advance(by: resolveHours * 3600)
            try await send("resolve INC-\(index + 1) accounts actioned")
            vigil.clock.advance(by: index < 2 ? 5 * 86_400 : 86_400)  // the last resolved a day before now
        }
        try await send("open sev1 card-testing Card testing spike on checkout")  // INC-4: its 5 min ack breaches
        vigil.clock.advance(by: 10 * 60)
        try await send("open sev1 tco Removal order for terrorist content")  // INC-5: a 1 h legal clock
        try await send("ack INC-5")
        try await send("open sev2 csam Grooming report on creator handle", as: Fixtures.dee)  // INC-6: restricted
        vigil.clock.advance(by: 5 * 60)
        try await send("open sev3 ato Payout destination changed on a creator")  // INC-7
        try await send("ack INC-7")
        vigil.clock.advance(by: 5 * 60)
    }

    /// Runs headless Chromium with `arguments` after the common flags (a throw-away profile, no
    /// network beyond the page's own, no sandbox: tests may run as root); its standard output.
    static func chromium(_ arguments: [String]) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: profile) }
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--user-data-dir=\(profile.path)",
        ]
        let result = try await ProgramRun.capture(
            chromium, flags + arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": profile.path, "LANG": "C.UTF-8"],
            directory: profile.path)
        try #require(result.status == 0, "chromium exited \(result.status): \(result.stderr.suffix(2_000))")
        return result.stdout
    }
}
