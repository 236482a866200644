import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VigilConfig
import VigilCore
import VigilHTTP
import VigilServer
import VigilTestSupport

/// `GET /metrics` after a scripted incident, over real HTTP, read with the independent parser in
/// VigilTestSupport: the expected series, sensible values, and only bounded label values.
@Suite struct MetricsEndToEndTests {
    /// Every value a label may take in this script; anything else (an incident, a title, a user)
    /// fails the test.
    static let bounded: [String: Set<String>] = [
        "subcommand": Set(Subcommand.allCases.map(\.rawValue) + ["unknown"]),
        "outcome": Set(VigilMetrics.CommandOutcome.allCases.map(\.rawValue)).union([
            "delivered", "dropped", "rate_limited", "failed", "failed_retryable",
        ]),
        "endpoint": ["/slack/commands", "/mattermost/commands", "/metrics", "/healthz", "/readyz", "unknown"],
        "status": Set((100...599).map(String.init)),
        "method": ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "other"],
        "severity": Set(Fixtures.policy.severities.map(\.name)),
        "category": Set(Fixtures.policy.categories.map(\.name)),
        "state": Set(IncidentState.allCases.map(\.rawValue) + ClockState.allCases.map(\.rawValue) + ["pending", "retrying", "dead"]),
        "kind": Set(ClockKind.allCases.map(\.rawValue) + ["channel", "reply", "page", "redaction", "room"]),
        "channel": Set(ChannelRole.allCases.map(\.rawValue) + ["reply", "page", "redaction", "room"]),
    ]

    @Test func aScriptedIncidentShowsUpWithBoundedLabels() async throws {
        let vigil = try TestVigil(channels: [.incidents: .console, .oncall: .console])
        defer { vigil.cleanUp() }
        let (status, contentType, text) = try await vigil.withLiveClient { client in
            _ = try await vigil.slack("open sev1 fraud Card testing on payouts from U0SECRET", client: client)
            _ = try await vigil.slack("open sev1 fraud Second wave", client: client)
            _ = try await vigil.slack("ack INC-1", client: client)
            _ = try await vigil.slack("frobnicate everything", client: client)
            // A bad signature never reaches the desk: counted by its endpoint and 401.
            let body = TestVigil.slackForm("ack INC-2")
            var headers = vigil.slackHeaders(for: body)
            headers[HTTPField.Name("X-Slack-Signature")!] = "v0=" + String(repeating: "0", count: 64)
            _ = try await client.execute(uri: "/slack/commands", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            _ = try await client.execute(uri: "/no/such/path/INC-1", method: .get)
            _ = try await vigil.app.delivery.deliverDue()
            // sev1's ack target passes for INC-2: its clock fires.
            vigil.clock.advance(by: 5 * 60 + 1)
            _ = try await vigil.app.scheduler.fireDue()
            let response = try await client.execute(uri: "/metrics", method: .get)
            return (response.status, response.headers[.contentType], String(buffer: response.body))
        }
        #expect(status == .ok)
        #expect(contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        let metrics = try PrometheusExposition.parse(text)

        func value(_ name: String, _ labels: [String: String]) -> Double? {
            metrics.samples(named: name).first { sample in labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
        }
        #expect(value("vigil_commands_total", ["subcommand": "open", "outcome": "applied"]) == 2)
        #expect(value("vigil_commands_total", ["subcommand": "ack", "outcome": "applied"]) == 1)
        #expect(value("vigil_commands_total", ["subcommand": "unknown", "outcome": "refused"]) == 1)
        #expect(value("vigil_http_request_duration_seconds_count", ["endpoint": "/slack/commands", "status": "200"]) == 4)
        #expect(value("vigil_http_request_duration_seconds_count", ["endpoint": "/slack/commands", "status": "401"]) == 1)
        #expect(value("vigil_http_request_duration_seconds_count", ["endpoint": "unknown", "status": "404"]) == 1)
        #expect(value("vigil_incidents_open", ["severity": "sev1", "category": "fraud", "state": "acknowledged"]) == 1)
        #expect(value("vigil_incidents_open", ["severity": "sev1", "category": "fraud", "state": "open"]) == 1)
        #expect((value("vigil_clocks", ["kind": "ack", "state": "running"]) ?? 0) >= 1)
        #expect(value("vigil_incidents_breached", [:]) == 1)
        #expect((value("vigil_next_deadline_seconds", [:]) ?? -1) > 0)
        #expect((value("vigil_delivery_duration_seconds_count", ["kind": "channel", "outcome": "delivered"]) ?? 0) >= 2)
        #expect((value("vigil_scheduler_lateness_seconds_count", [:]) ?? 0) >= 1)
        #expect((value("vigil_store_transaction_duration_seconds_count", [:]) ?? 0) >= 3)
        #expect((value("vigil_store_group_size_count", [:]) ?? 0) >= 3)
        #expect(metrics.samples(named: "vigil_outbox_rows").isEmpty == false)
        for family in [
            "vigil_commands_total", "vigil_http_request_duration_seconds", "vigil_incidents_open", "vigil_clocks",
            "vigil_incidents_breached", "vigil_next_deadline_seconds", "vigil_outbox_rows", "vigil_delivery_duration_seconds",
            "vigil_scheduler_lateness_seconds", "vigil_store_transaction_duration_seconds", "vigil_store_group_size",
        ] {
            #expect(metrics.types[family] != nil, "no # TYPE for \(family)")
        }

        for sample in metrics.samples {
            for (label, labelValue) in sample.labels where label != "le" {
                let allowed = Self.bounded[label]
                #expect(allowed?.contains(labelValue) == true, "\(sample.name){\(label)=\"\(labelValue)\"} is not a bounded value")
                #expect(!labelValue.contains("INC-") && !labelValue.contains("U0") && !labelValue.contains("Card"))
            }
        }
        #expect(!text.contains("INC-") && !text.contains("Card testing") && !text.contains("U0SECRET"))
    }

    @Test func metricsListenServesMetricsOnItsOwnPortOnly() async throws {
        let served = try await ServedVigil.start(http: HTTPSettings(), metricsListen: try ListenAddress.parse("127.0.0.1:0"))
        let metricsPort = try #require(served.metricsPort)
        let client = CurlHTTPClient()
        let onMetrics = try await client.send(
            VigilHTTP.HTTPRequest(
                method: "GET", url: "http://127.0.0.1:\(metricsPort)/metrics", headers: [], body: [], timeout: .seconds(5)))
        #expect(onMetrics.status == 200)
        #expect(onMetrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        _ = try PrometheusExposition.parse(onMetrics.text)
        let onMain = try await client.send(
            VigilHTTP.HTTPRequest(
                method: "GET", url: "http://127.0.0.1:\(served.port)/metrics", headers: [], body: [], timeout: .seconds(5)))
        #expect(onMain.status == 404)
        let healthOnMetrics = try await client.send(
            VigilHTTP.HTTPRequest(
                method: "GET", url: "http://127.0.0.1:\(metricsPort)/healthz", headers: [], body: [], timeout: .seconds(5)))
        #expect(healthOnMetrics.status == 404)
        await served.stop()
    }
}
