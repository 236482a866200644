import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VigilConfig
import VigilCore
import VigilJSON
import VigilServer
import VigilTestSupport

/// The acceptance check of `log_format: json`: a whole scripted run logged at trace, every line
/// parsed, and no configured secret nor restricted title in any of them.
@Suite struct LogHygieneEndToEndTests {
    static let intakeSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let title = "Account 99812 exploitative DMs"

    @Test func aRestrictedIncidentsRunLogsParseableLinesWithNoSecretAndNoTitle() async throws {
        // setup: the app's logger writes JSON twice: once through the redaction every deployment
        // gets, once without it, so the run proves that no log call passes a secret in the first place.
        let redacted = RecordingLogSink(), raw = RecordingLogSink()
        var configuration = VigilConfiguration(
            database: .sqlite(path: "/unused"), commandsDirectory: "", playbooksDirectory: "",
            chatPlatforms: [.slack(signingSecret: TestVigil.slackSecret), .mattermost(token: TestVigil.mattermostToken)])
        configuration.intake = IntakeSettings(webhook: WebhookIntakeSettings(secrets: [Self.intakeSecret]))
        let secrets = configuration.secrets
        #expect(Set(secrets) == [TestVigil.slackSecret, TestVigil.mattermostToken, Self.intakeSecret])
        var logger = Logger(label: "vigil") { label in
            MultiplexLogHandler([
                VigilLogging.handler(label: label, format: .json, level: .trace, secrets: secrets, sink: redacted),
                VigilLogging.handler(label: label, format: .json, level: .trace, secrets: [], sink: raw),
            ])
        }
        logger.logLevel = .trace
        // A restricted category with no playbook, so that nothing blocks the resolve.
        var policy = Fixtures.policy
        policy.categories.append(Category(name: "threats", restricted: true))
        let vigil = try TestVigil(policy: policy, intake: configuration.intake, logger: logger)
        defer { vigil.cleanUp() }

        // MUT
        try await vigil.withClient { client in
            let (_, opened) = try await vigil.slack("open sev1 threats \(Self.title)", as: Fixtures.dee, client: client)
            #expect(opened.text.contains("INC-1"))
            vigil.clock.advance(by: 6 * 60)
            _ = try await vigil.app.scheduler.fireDue()
            let (_, acked) = try await vigil.slack("ack INC-1", as: Fixtures.dee, client: client)
            #expect(acked.text.contains("INC-1"))
            let body = TestVigil.slackForm("resolve INC-1 done")
            let forged = try await client.execute(
                uri: "/slack/commands", method: .post, headers: vigil.slackHeaders(for: body, secret: "not-the-secret"),
                body: ByteBuffer(bytes: body))
            #expect(forged.status == .unauthorized)
            let (_, resolved) = try await vigil.slack(
                "resolve INC-1 account removed, \(Self.title) reported", as: Fixtures.dee, client: client)
            #expect(resolved.text.contains("INC-1"))
        }
        _ = try await vigil.app.delivery.deliverDue()

        // validate
        for (name, sink) in [("redacted", redacted), ("raw", raw)] {
            let lines = sink.all
            #expect(lines.count >= 5, "\(name): \(lines)")
            #expect(sink.objects().count == lines.count)
            for line in lines {
                let decoded = (try? JSONValue.parse(line))?.objectMembers?.map { "\($0.0)=\($0.1.stringValue ?? "")" }.joined() ?? line
                for secret in secrets { #expect(!line.contains(secret) && !decoded.contains(secret), "\(name): \(line)") }
                #expect(!decoded.contains("99812") && !decoded.contains("exploitative"), "\(name): \(line)")
            }
            let objects = sink.objects()
            let applied = objects.filter { $0["msg"]?.stringValue == "command applied" }
            #expect(applied.count == 3 && applied.allSatisfy { $0["incident"]?.stringValue == "INC-1" }, "\(name)")
            #expect(applied.allSatisfy { $0["platform"]?.stringValue == "slack" })
            #expect(objects.contains { $0["msg"]?.stringValue == "clock fired" && $0["incident"]?.stringValue == "INC-1" }, "\(name)")
            #expect(
                objects.contains { $0["msg"]?.stringValue == "refused unauthenticated request" && $0["platform"]?.stringValue == "slack" })
        }
    }
}
