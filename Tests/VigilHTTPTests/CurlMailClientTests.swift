import Foundation
import Testing
import VigilHTTP
import VigilTestSupport

@Suite("CurlMailClient against a local SMTP sink", .timeLimit(.minutes(1)))
struct CurlMailClientTests {
    let client = CurlMailClient()

    static let message = Array(
        """
        From: vigil@example.com\r
        To: ava@example.com\r
        Subject: [sev1] INC-42 opened\r
        \r
        Card testing spike\r
        .\r
        ..two dots\r
        .leading dot\r
        last line\r

        """.utf8)

    func delivery(_ url: String, recipients: [String] = ["ava@example.com"], message: [UInt8] = message) -> MailDelivery {
        MailDelivery(url: url, from: "vigil@example.com", recipients: recipients, message: message, timeout: .seconds(20))
    }

    @Test func deliversEnvelopeAndMessageWithDotsIntact() async throws {
        // setup
        let sink = try SMTPSink.start()

        // MUT
        try await client.send(delivery(sink.url, recipients: ["ava@example.com", "ben@example.org"]))
        await sink.stop()

        // validate: libcurl dot-stuffed the "." lines and the sink removed it again, byte for byte
        let mail = try #require(sink.messages.first)
        #expect(sink.messages.count == 1)
        #expect(mail.from == "vigil@example.com")
        #expect(mail.recipients == ["ava@example.com", "ben@example.org"])
        #expect(mail.data == Self.message)
        #expect(sink.commands.contains { $0.hasPrefix("EHLO") })
        #expect(sink.commands.last == "QUIT")
    }

    @Test func aMessageWithoutFinalLineBreakIsCompletedByCurl() async throws {
        let sink = try SMTPSink.start()
        try await client.send(delivery(sink.url, message: Array("Subject: x\r\n\r\nno newline".utf8)))
        await sink.stop()
        #expect(sink.messages.first?.text == "Subject: x\r\n\r\nno newline\r\n")
    }

    @Test func aRefusedRecipientIsPermanent() async throws {
        // setup
        let sink = try SMTPSink.start(
            replies: .init(recipient: { $0 == "nobody@example.com" ? "550 5.1.1 No such user" : "250 2.1.5 OK" }))

        // MUT
        let error = await #expect(throws: MailClientError.self) {
            try await client.send(delivery(sink.url, recipients: ["ava@example.com", "nobody@example.com"]))
        }
        await sink.stop()

        // validate
        #expect(error?.kind == .rejected)
        #expect(error?.smtpStatus == 550)
        #expect(error?.isRetryable == false)
        #expect(sink.messages.isEmpty)
    }

    @Test(arguments: [
        ("451 4.7.1 Greylisted, try again later", MailClientError.Kind.deferred, 451, true),
        ("554 5.7.1 Message rejected as spam", .rejected, 554, false),
    ])
    func theFinalReplyDecidesRetry(reply: String, kind: MailClientError.Kind, status: Int, retryable: Bool) async throws {
        let sink = try SMTPSink.start(replies: .init(afterData: reply))
        let error = await #expect(throws: MailClientError.self) { try await client.send(delivery(sink.url)) }
        await sink.stop()
        #expect(error?.kind == kind)
        #expect(error?.smtpStatus == status)
        #expect(error?.isRetryable == retryable)
    }

    @Test func aRefusedConnectionIsRetryable() async throws {
        let reserved = try ReservedLocalPort()
        let error = await #expect(throws: MailClientError.self) {
            try await client.send(delivery("smtp://127.0.0.1:\(reserved.port)"))
        }
        #expect(error?.kind == .couldNotConnect)
        #expect(error?.isRetryable == true)
        #expect(error?.redactedURL == "smtp://127.0.0.1:\(reserved.port)")
    }

    @Test func deniedCredentialsAreNeverInTheError() async throws {
        // setup: a server that offers AUTH and refuses it; opportunistic TLS so curl gets that far
        let sink = try SMTPSink.start(
            replies: .init(extensions: ["AUTH PLAIN LOGIN"], auth: "535 5.7.8 Authentication credentials invalid"))
        let password = "hunter2-Sup3r-Secret"
        let mail = MailDelivery(
            url: sink.url, from: "vigil@example.com", recipients: ["ava@example.com"], message: Self.message,
            username: "vigil-mailer", password: password, security: .opportunistic)

        // MUT
        let error = await #expect(throws: MailClientError.self) { try await client.send(mail) }
        await sink.stop()

        // validate
        #expect(error?.kind == .loginDenied)
        #expect(error?.isRetryable == false)
        for text in [error.map { "\($0)" }, error.map { String(reflecting: $0) }, error?.message, "\(mail)", String(reflecting: mail)] {
            #expect(text?.contains(password) == false)
            #expect(text?.contains("vigil-mailer") == false)
        }
        #expect(sink.messages.isEmpty)
    }

    @Test func credentialsWithoutTLSAreRefusedByDefault() async throws {
        // The sink offers no STARTTLS; with a password the default policy is "TLS or nothing".
        let sink = try SMTPSink.start(replies: .init(extensions: ["AUTH PLAIN"]))
        let mail = MailDelivery(
            url: sink.url, from: "vigil@example.com", recipients: ["ava@example.com"], message: Self.message,
            username: "u", password: "p4ssw0rd-xyz")
        let error = await #expect(throws: MailClientError.self) { try await client.send(mail) }
        await sink.stop()
        #expect(error?.kind == .tls)
        #expect(error?.isRetryable == false)
        #expect(!sink.commands.contains("AUTH"))
        #expect(error.map { "\($0)" }?.contains("p4ssw0rd-xyz") == false)
    }

    @Test(arguments: [
        ("http://127.0.0.1:25", ["a@example.com"], "vigil@example.com"),
        ("smtp://user:pw@127.0.0.1:25", ["a@example.com"], "vigil@example.com"),
        ("smtp://127.0.0.1:25", [], "vigil@example.com"),
        ("smtp://127.0.0.1:25", ["a@example.com>\r\nRCPT TO:<b@example.com"], "vigil@example.com"),
        ("smtp://127.0.0.1:25", ["a@example.com"], "vigil@example.com\r\nRSET"),
    ])
    func malformedDeliveriesAreRefusedBeforeConnecting(url: String, recipients: [String], from: String) async throws {
        let mail = MailDelivery(url: url, from: from, recipients: recipients, message: Self.message)
        let error = await #expect(throws: MailClientError.self) { try await client.send(mail) }
        #expect(error?.kind == .invalidRequest)
        #expect(error.map { "\($0)" }?.contains("pw@") == false)
    }
}
