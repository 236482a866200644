import Testing
import VigilHTTP

@Suite("HTTPClientError")
struct HTTPClientErrorTests {
    let webhook = "https://hooks.slack.com/services/T000/B000/XXXXSECRET?token=abc"

    @Test func keepsOnlySchemeAndHost() {
        let error = HTTPClientError(kind: .timedOut, code: 28, message: "Timeout was reached", url: webhook)
        #expect(error.redactedURL == "https://hooks.slack.com")
        #expect(error.description == "HTTP request to https://hooks.slack.com failed: Timeout was reached (curl 28)")
    }

    @Test func descriptionsNeverContainThePathQueryOrUserInfo() {
        let url = "http://user:password@example.test:8443/services/T000/B000/XXXXSECRET?token=abc"
        let error = HTTPClientError(
            kind: .transfer,
            code: 56,
            message: "Failure when receiving data from \(url) (path /services/T000/B000/XXXXSECRET?token=abc)",
            url: url
        )
        for text in [error.description, String(reflecting: error), "\(error)", error.message] {
            #expect(!text.contains("SECRET"))
            #expect(!text.contains("token"))
            #expect(!text.contains("password"))
        }
        #expect(error.redactedURL == "http://example.test:8443")
    }

    @Test func retryableKinds() {
        #expect(HTTPClientError.Kind.timedOut.isRetryable)
        #expect(HTTPClientError.Kind.couldNotConnect.isRetryable)
        #expect(!HTTPClientError.Kind.invalidRequest.isRetryable)
        #expect(!HTTPClientError.Kind.tls.isRetryable)
    }
}
