import Foundation
import Testing
import VigilHTTP

@Suite("HTTPResponse")
struct HTTPResponseTests {
    /// 2015-10-21T07:28:00Z, the example date of RFC 9110.
    let rfcExampleInstant = Date(timeIntervalSince1970: 1_445_412_480)

    func response(retryAfter value: String) -> HTTPResponse {
        HTTPResponse(status: 429, headers: [HTTPHeader("Retry-After", value)])
    }

    @Test func headerLookupIgnoresCaseAndNamesAreLowercased() {
        let response = HTTPResponse(status: 200, headers: [HTTPHeader("Content-Type", "text/plain")])
        #expect(response.headers == [HTTPHeader("content-type", "text/plain")])
        #expect(response.header("CONTENT-TYPE") == "text/plain")
        #expect(response.header("x-missing") == nil)
    }

    @Test func retryAfterDeltaSeconds() {
        #expect(response(retryAfter: "120").retryAfter(now: rfcExampleInstant) == .seconds(120))
        #expect(response(retryAfter: " 0 ").retryAfter(now: rfcExampleInstant) == .zero)
    }

    @Test func retryAfterIMFFixdateIsMeasuredFromNow() {
        let now = rfcExampleInstant.addingTimeInterval(-90)
        #expect(response(retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT").retryAfter(now: now) == .seconds(90))
    }

    @Test func retryAfterObsoleteDateForms() {
        let now = rfcExampleInstant.addingTimeInterval(-30)
        #expect(response(retryAfter: "Wednesday, 21-Oct-15 07:28:00 GMT").retryAfter(now: now) == .seconds(30))
        #expect(response(retryAfter: "Wed Oct 21 07:28:00 2015").retryAfter(now: now) == .seconds(30))
    }

    @Test func retryAfterDateInThePastMeansNow() {
        let now = rfcExampleInstant.addingTimeInterval(3600)
        #expect(response(retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT").retryAfter(now: now) == .zero)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "12:00"])
    func retryAfterUnreadableIsNil(_ value: String) {
        #expect(response(retryAfter: value).retryAfter(now: rfcExampleInstant) == nil)
    }

    @Test func retryAfterAbsentIsNil() {
        #expect(HTTPResponse(status: 429).retryAfter(now: rfcExampleInstant) == nil)
    }

    @Test func retryAfterHugeDeltaIsCapped() {
        let delay = response(retryAfter: "99999999999999999999999").retryAfter(now: rfcExampleInstant)
        #expect(delay == .seconds(366 * 24 * 3600))
    }
}
