import Foundation
import NIOCore
import NIOHTTP1
import VigilChat

/// The subcommands of the load mix, in the order one incident goes through them.
enum MixAction: Int, CaseIterable, Sendable {
    case open, ack, note, step, resolve

    /// The action after this one on the same incident; nil once it is resolved.
    var next: MixAction? { MixAction(rawValue: rawValue + 1) }

    var name: String {
        switch self {
        case .open: "open"
        case .ack: "ack"
        case .note: "note"
        case .step: "step done"
        case .resolve: "resolve"
        }
    }
}

/// One HTTP request ready to write: head and body encoded, signature computed.
struct SignedRequest: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
}

/// Builds slash-command requests exactly as Slack sends them: a form body in Slack's field
/// order, `+` for spaces, `X-Slack-Request-Timestamp` and `X-Slack-Signature` over
/// `v0:timestamp:body`, and a `trigger_id` that no other request of the run shares (Vigil
/// answers a repeated one with the stored reply and does nothing, which would flatter it).
struct SlackRequestFactory: Sendable {
    static let signingSecret = "vigil-load-0f3b9c2d7e6a41858d0c6b1f2e9a7d34"

    let host: String

    /// People typing the commands; Slack sends `user_id` and `user_name` separately.
    static let users: [(id: String, name: String)] = [
        ("U0AVA", "ava"), ("U0BEN", "ben"), ("U0CAS", "cas"), ("U0DEE", "dee"), ("U0EVE", "eve"),
    ]
    static let titleHeads = ["Card testing spike", "Stolen cards", "Chargeback ring", "Refund abuse", "Payout redirect"]
    static let titleTails = ["on checkout", "from one BIN range", "on creator payouts", "in the EU region", "after a login burst"]
    static let notes = [
        "Three cards from one BIN, blocking the range", "Velocity limits raised on checkout",
        "Processor confirms the pattern across merchants", "Payouts held for the affected creators",
    ]
    static let resolutions = [
        "BIN range blocked, affected cards refunded", "Ring accounts banned, chargebacks contested",
        "Payout destination restored after owner verification",
    ]

    /// The command text for `action` on incident `number` (ignored for `open`).
    static func text(_ action: MixAction, number: Int, using rng: inout SeededGenerator) -> String {
        switch action {
        case .open:
            // The `ato` type attaches account takeover, whose first step needs no evidence and
            // which has no blocking steps, so the whole script can succeed.
            let head = titleHeads.randomElement(using: &rng)!
            let tail = titleTails.randomElement(using: &rng)!
            return "open sev2 ato \(head) \(tail)"
        case .ack: return "ack INC-\(number)"
        case .note: return "note INC-\(number) \(notes.randomElement(using: &rng)!)"
        // Several steps are open at once, so the step is named.
        case .step: return "step INC-\(number) done freeze-payouts-sessions"
        case .resolve: return "resolve INC-\(number) \(resolutions.randomElement(using: &rng)!)"
        }
    }

    /// A signed `POST /slack/commands` carrying `text`.
    func command(_ text: String, triggerID: String, timestamp: String, using rng: inout SeededGenerator) -> SignedRequest {
        let user = Self.users.randomElement(using: &rng)!
        let fields: [(String, String)] = [
            ("token", "gIkuvaNzQIHg97ATvDxqgjtO"), ("team_id", "T0001"), ("team_domain", "example"),
            ("channel_id", "C2147483705"), ("channel_name", "ts-incidents"), ("user_id", user.id),
            ("user_name", user.name), ("command", "/incident"), ("text", text),
            // On loopback, so that a reply deferred past Slack's deadline never leaves the machine.
            ("response_url", "http://\(host)/commands/T0001/\(triggerID.prefix(10))/4dd0cafe"),
            ("trigger_id", triggerID), ("api_app_id", "A0LOAD0001"),
        ]
        let body = fields.map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let bytes = Array(body.utf8)
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)
        headers.add(name: "Host", value: host)
        headers.add(name: "User-Agent", value: "Slackbot 1.0 (+https://api.slack.com/robots)")
        headers.add(name: "Accept", value: "application/json,*/*")
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        headers.add(name: "Content-Length", value: String(bytes.count))
        headers.add(name: "X-Slack-Request-Timestamp", value: timestamp)
        headers.add(name: "X-Slack-Signature", value: Self.sign(timestamp: timestamp, body: bytes))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/slack/commands", headers: headers)
        return SignedRequest(head: head, body: ByteBuffer(bytes: bytes))
    }

    /// Vigil's own signer: the requests are signed exactly as the server verifies them.
    static let signer = SlackSignature(signingSecret: signingSecret)

    static func sign(timestamp: String, body: [UInt8]) -> String {
        signer.sign(timestamp: timestamp, body: body)
    }

    /// `GET path` with no body: the health checks.
    func get(_ path: String) -> SignedRequest {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        return SignedRequest(head: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers), body: nil)
    }

    /// application/x-www-form-urlencoded as browsers and Slack write it: unreserved bytes as
    /// they are, space as `+`, everything else `%XX` in upper case.
    static func formEncode(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count * 3)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "*"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The requests of one phase, signed before it starts so that the HMAC and the form encoding
/// stay out of the timed path, and with one timestamp per phase so none is older than Vigil's
/// five-minute window.
///
/// Follow-ups name an incident number that is only known once the open's reply arrives. Vigil
/// numbers incidents without gaps and this run is its only client, so the numbers a phase will
/// see are the ones after the highest seen so far: the pool signs follow-ups for that range.
/// A number outside it (possible only when a reply was lost) is signed on demand and counted.
struct SignedRequestPool: Sendable {
    private let factory: SlackRequestFactory
    private let timestamp: String
    private let triggerPrefix: String
    private var rng: SeededGenerator
    private var serial = 0

    private var opens: [SignedRequest] = []
    private var nextOpen = 0
    /// `followUps[action.rawValue - 1][number - firstNumber]`.
    private var followUps: [[SignedRequest]] = []
    private let firstNumber: Int
    /// Requests that had to be signed during the phase because the pool ran short.
    private(set) var signedLate = 0

    /// - Parameters:
    ///   - phase: a number unique to the phase within the run; it keeps trigger IDs unique.
    ///   - opens: open commands to sign.
    ///   - followUpIncidents: incidents, from `highestNumber + 1` on, to sign follow-ups for.
    init(factory: SlackRequestFactory, phase: Int, seed: UInt64, opens openCount: Int, followUpIncidents: Int, highestNumber: Int) {
        self.factory = factory
        timestamp = String(Int(Date().timeIntervalSince1970))
        // Slack's trigger IDs look like `13345224609.738474920.8088930838d88f008e0`.
        triggerPrefix = String(1_000_000_000 + phase)
        rng = SeededGenerator(seed: seed &+ UInt64(phase) &* 0x100_0000_01B3)
        firstNumber = highestNumber + 1
        opens.reserveCapacity(openCount)
        for _ in 0..<openCount { opens.append(sign(.open, number: 0)) }
        var lists: [[SignedRequest]] = []
        for action in MixAction.allCases.dropFirst() {
            var list: [SignedRequest] = []
            list.reserveCapacity(followUpIncidents)
            for offset in 0..<followUpIncidents { list.append(sign(action, number: firstNumber + offset)) }
            lists.append(list)
        }
        followUps = lists
    }

    /// The signed request for `action` on incident `number` (any number for `open`).
    mutating func take(_ action: MixAction, number: Int) -> SignedRequest {
        if action == .open {
            if nextOpen < opens.count {
                defer { nextOpen += 1 }
                return opens[nextOpen]
            }
        } else {
            let index = number - firstNumber
            let list = followUps[action.rawValue - 1]
            if index >= 0, index < list.count { return list[index] }
        }
        signedLate += 1
        return sign(action, number: number)
    }

    private mutating func sign(_ action: MixAction, number: Int) -> SignedRequest {
        serial += 1
        let trigger = "\(triggerPrefix).\(String(serial)).\(String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16))"
        let text = SlackRequestFactory.text(action, number: number, using: &rng)
        return factory.command(text, triggerID: trigger, timestamp: timestamp, using: &rng)
    }
}
