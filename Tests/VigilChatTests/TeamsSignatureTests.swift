import Foundation
import Testing
import VigilChat

/// The Teams outgoing-webhook vector of protocols.md §8.3, verbatim: the token from Microsoft's
/// docs, a body built there (Microsoft's own body is unpublished), and the header Python, Node
/// and OpenSSL all computed for it.
@Suite("Teams signature")
struct TeamsSignatureTests {
    static let securityToken = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA="
    static let body = Array(#"{"type":"message","id":"1","text":"<at>Bot</at> ping"}"#.utf8)
    static let authorization = "HMAC 60nfriL1/PUPOvod80G7gWgkAInMZ14cACJRDKcM4ks="
    /// The token as config holds it: decoded once from base64.
    static let key = Array(Data(base64Encoded: securityToken)!)

    let verifier = TeamsSignature(securityToken: key)

    @Test("the token decodes to 32 bytes, and signing the body reproduces the vector")
    func signsTheVector() {
        #expect(Self.key.count == 32)
        #expect(verifier.sign(body: Self.body) == Self.authorization)
    }

    @Test func verifiesTheVector() throws {
        try verifier.verify(authorization: Self.authorization, body: Self.body)
    }

    @Test("keying with the token's base64 text instead of its bytes gives another signature")
    func theTokenTextIsNotTheKey() {
        // setup
        let misread = TeamsSignature(securityToken: Array(Self.securityToken.utf8))

        // MUT
        let signed = misread.sign(body: Self.body)

        // validate
        #expect(signed != Self.authorization)
        #expect(throws: ChatRequestError(.unauthorized, "invalid signature")) {
            try misread.verify(authorization: Self.authorization, body: Self.body)
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var authorization: String?
        var body: [UInt8]
        var reason: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = {
        let (header, body) = (authorization, TeamsSignatureTests.body)
        let value = String(header.dropFirst("HMAC ".count))
        var changed = body
        changed[changed.count - 3] = UInt8(ascii: "o")  // `ping` → `pong`
        return [
            Refusal(name: "one byte of the body changed", authorization: header, body: changed, reason: "invalid signature"),
            Refusal(name: "an empty body", authorization: header, body: [], reason: "invalid signature"),
            Refusal(name: "no Authorization header", authorization: nil, body: body, reason: "missing Authorization"),
            Refusal(name: "the Bearer scheme", authorization: "Bearer \(value)", body: body, reason: "Authorization is not HMAC"),
            Refusal(name: "a lower-case scheme", authorization: "hmac \(value)", body: body, reason: "Authorization is not HMAC"),
            Refusal(name: "the bare value", authorization: value, body: body, reason: "Authorization is not HMAC"),
            Refusal(
                name: "a value that is not base64", authorization: "HMAC 60nfriL1/PUPOvod80G7gWgk!InMZ14cACJRDKcM4ks=", body: body,
                reason: "malformed HMAC signature"),
            Refusal(name: "an empty value", authorization: "HMAC ", body: body, reason: "malformed HMAC signature"),
            Refusal(name: "two spaces after the scheme", authorization: "HMAC  \(value)", body: body, reason: "malformed HMAC signature"),
            Refusal(
                name: "base64 of 31 bytes", authorization: "HMAC " + Data(repeating: 7, count: 31).base64EncodedString(), body: body,
                reason: "malformed HMAC signature"),
            Refusal(
                name: "the hex digest instead of base64", authorization: "HMAC " + String(repeating: "ab", count: 32), body: body,
                reason: "malformed HMAC signature"),
            Refusal(
                name: "another key's signature",
                authorization: TeamsSignature(securityToken: Array(repeating: 1, count: 32)).sign(body: body), body: body,
                reason: "invalid signature"),
        ]
    }()

    @Test("anything but the vector's own header on its own body is refused as unauthorized", arguments: refusals)
    func refuses(refusal: Refusal) {
        #expect(throws: ChatRequestError(.unauthorized, refusal.reason)) {
            try verifier.verify(authorization: refusal.authorization, body: refusal.body)
        }
    }
}
