import Foundation
import FuzzSupport
import VigilCore
import VigilIntake
import VigilPagers

/// The signed webhooks that arrive from outside chat: `POST /intake/webhook` (Standard
/// Webhooks), `POST /intake/zendesk` and `POST /pagerduty/webhook`. The input is the raw body.
/// Each signature scheme must accept the body it signed itself, whatever its bytes, and each
/// decoder must answer with a case, an event or its own error, never a crash; a decoded case
/// keeps to the limits the decoders promise. (The title is checked later, by the core, which
/// answers 422 naming it.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhookBodies(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let body = Array(FuzzInput.bytes(start, count))

    // Standard Webhooks: the body signed as a sender would sign it verifies.
    let header = StandardWebhookSignature.sign(id: "msg_fuzz", timestamp: Int64(now), body: body, secret: secret)
    FuzzOracle.expect(header != nil, "the whsec_ secret has a key")
    do {
        try StandardWebhookSignature.verify(
            id: "msg_fuzz", timestamp: String(Int64(now)), signature: header, body: body, secrets: [secret], now: now)
    } catch {
        FuzzOracle.expect(false, "a body signed with the secret fails the check: \(error)")
    }
    if let intake = try? IntakeCaseDecoder.decode(body) {
        FuzzOracle.expect(intake.dedupKey.map { !$0.isEmpty && $0.utf8.count <= IntakeCaseDecoder.dedupKeyBytes } ?? true, "dedup_key within bounds")
    }

    // Zendesk: the ticket mapped to a type or category and a severity.
    if let ticket = try? ZendeskTicketDecoder.decode(body, map: map) {
        FuzzOracle.expect(ticket.kind != nil && ticket.severity != nil, "the map's default gives every ticket a kind and a severity")
    }

    // PagerDuty v3: the body's own signature verifies; a flipped bit in it does not.
    let signature = PagerDutyWebhookSignature.signature(body: body, secret: secret)
    FuzzOracle.expect(PagerDutyWebhookSignature.isValid(header: "v1=" + signature, body: body, secret: secret), "PagerDuty signature round trip")
    var tampered = body
    if tampered.isEmpty { tampered = [0] } else { tampered[0] ^= 1 }
    FuzzOracle.expect(!PagerDutyWebhookSignature.isValid(header: "v1=" + signature, body: tampered, secret: secret), "another body, the same signature")
    _ = try? PagerDutyWebhookDecoder.decode(body)
    return 0
}

/// The Standard Webhooks specification's example secret.
private let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
private let now: Double = 1_795_902_000
private let map = IntakeMap(
    defaults: IntakeMap.Result(kind: "moderation", kindField: "category", severity: "sev3"),
    rules: [
        IntakeMap.Rule(tags: ["csam"], result: IntakeMap.Result(kind: "csam", severity: "sev1")),
        IntakeMap.Rule(priority: "urgent", group: "Fraud", result: IntakeMap.Result(kind: "fraud", kindField: "category", severity: "sev1")),
        IntakeMap.Rule(fields: ["360001234": "ncii"], result: IntakeMap.Result(kind: "ncii")),
    ])
