import Foundation
import Testing
import VigilConfig

/// `log_format` and the secrets the log handlers redact.
@Suite("vigil.yaml: log_format and secrets")
struct LogConfigTests {
    @Test func logFormatIsTextUnlessJSONIsAsked() throws {
        #expect(try ConfigText.decode("id_prefix: INC\n").logFormat == .text)
        #expect(try ConfigText.decode("log_format: json\n").logFormat == .json)
        #expect(try ConfigText.decode("log_format: JSON\n").logFormat == .json)
        #expect(
            ConfigText.diagnostics("log_format: jsonl\n") == [
                #"vigil.yaml:1: log_format must be text or json, found "jsonl" (did you mean "json"?)"#
            ])
    }

    @Test func everyConfiguredCredentialIsASecretButShortOnesAndDiscordsPublicKey() throws {
        // setup
        let teamsToken = Data("teams-hmac-key-0123456789".utf8).base64EncodedString()
        let yaml = """
            database: postgres://vigil:db-password-9@db.example.com:5432/vigil
            slack: {signing_secret: slack-signing-1234, bot_token: xoxb-bot-token-5678}
            mattermost: {token: mattermost-token-9012, bot_token: mm-bot-token-3456, url: "https://chat.example.com"}
            discord: {public_key: \(String(repeating: "ab", count: 32)), application_id: "123456789012345678"}
            teams: {security_token: "\(teamsToken)"}
            pagerduty: {routing_keys: {responders: routing-key-responders, lead: short}, webhook_secret: pd-webhook-secret}
            ntfy: {url: "https://ntfy.example.com", token: tk_ntfy-token-77}
            smtp: {url: "smtp://mail.example.com:587", from: vigil@example.com, username: vigil, password: smtp-password-1}
            channels:
              incidents: https://hooks.slack.com/services/T000/B000/XXXXXXXX
            intake:
              webhook: {secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
            """
        // MUT
        let secrets = try ConfigText.decode(yaml).secrets
        // validate
        for secret in [
            "db-password-9", "slack-signing-1234", "xoxb-bot-token-5678", "mattermost-token-9012", "mm-bot-token-3456", teamsToken,
            "teams-hmac-key-0123456789", "routing-key-responders", "pd-webhook-secret", "tk_ntfy-token-77", "smtp-password-1",
            "https://hooks.slack.com/services/T000/B000/XXXXXXXX", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ] {
            #expect(secrets.contains(secret), "\(secret)")
        }
        #expect(!secrets.contains("short"))
        #expect(!secrets.contains(String(repeating: "ab", count: 32)))
        #expect(secrets == secrets.sorted { $0.count > $1.count || ($0.count == $1.count && $0 > $1) })
    }
}
