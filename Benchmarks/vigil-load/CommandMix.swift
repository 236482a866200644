import NIOCore
import VigilJSON

/// What one reply turned out to be.
enum ReplyOutcome: Sendable, Equatable {
    /// The command did what it should; `number` is the incident an `open` created.
    case success(number: Int?)
    /// A valid, specific refusal the mix allows for (a playbook step Vigil will not mark done).
    case refusal
    /// Anything else: a non-200 status, a body that is not Slack's JSON, or a refusal where none
    /// was expected. The description says which, for the first few printed to stderr.
    case error(String)
}

/// The realistic mix: responders open incidents, then acknowledge, note, complete the first
/// playbook step and resolve the ones they opened, one command after another on each incident.
///
/// Incidents whose next command can be sent wait in `ready`; each send picks one of them at
/// random (seeded), or opens a new incident when none is waiting. While replies are quick this
/// settles at one open in five commands; when Vigil falls behind, follow-ups wait for their
/// replies and the share of opens rises, as it would with people waiting on a slow bot.
struct CommandMix: Sendable {
    private var ready: [(number: Int, next: MixAction)] = []
    private var rng: SeededGenerator
    /// Every send is an `open` (the fill to 100,000 incidents).
    var opensOnly = false

    init(seed: UInt64) {
        rng = SeededGenerator(seed: seed)
    }

    /// Forgets incidents from an earlier phase: their follow-ups were signed for that phase.
    mutating func reset(seed: UInt64) {
        ready.removeAll(keepingCapacity: true)
        rng = SeededGenerator(seed: seed)
    }

    /// The next command to send and the incident it names (0 for `open`).
    mutating func next() -> (action: MixAction, number: Int) {
        guard !opensOnly, !ready.isEmpty else { return (.open, 0) }
        let index = Int.random(in: 0..<ready.count, using: &rng)
        ready.swapAt(index, ready.count - 1)
        let item = ready.removeLast()
        return (item.next, item.number)
    }

    /// Records a reply: the incident's next command becomes ready, unless this one failed (a
    /// person would stop and look) or it was the last.
    mutating func completed(_ action: MixAction, number: Int, outcome: ReplyOutcome) {
        guard !opensOnly else { return }
        switch outcome {
        case let .success(opened):
            let incident = action == .open ? (opened ?? 0) : number
            if incident > 0, let next = action.next { ready.append((incident, next)) }
        case .refusal:
            // A refused step leaves the incident resolvable; carry on as a responder would.
            if let next = action.next { ready.append((number, next)) }
        case .error:
            break
        }
    }

    /// Checks a reply to `action`: state changes are answered `in_channel`; the open's reply
    /// names the new incident, which is parsed from its plain `text`.
    static func classify(_ action: MixAction, status: UInt, body: ByteBuffer) -> ReplyOutcome {
        guard status == 200 else {
            return .error("\(action.name): HTTP \(status) \(String(buffer: body).prefix(120))")
        }
        guard let json = try? JSONValue.parse(body.readableBytesView), let text = json["text"]?.stringValue,
            let kind = json["response_type"]?.stringValue
        else {
            return .error("\(action.name): not Slack JSON: \(String(buffer: body).prefix(120))")
        }
        guard kind == "in_channel" else {
            return action == .step ? .refusal : .error("\(action.name): \(kind): \(text.prefix(160))")
        }
        guard action == .open else { return .success(number: nil) }
        guard let number = incidentNumber(in: text) else {
            return .error("open: no INC- number in \(text.prefix(120))")
        }
        return .success(number: number)
    }

    /// The number of the first `INC-<digits>` in `text`.
    static func incidentNumber(in text: String) -> Int? {
        let bytes = Array(text.utf8)
        let prefix = Array("INC-".utf8)
        guard bytes.count > prefix.count else { return nil }
        for start in 0...(bytes.count - prefix.count) where bytes[start..<start + prefix.count].elementsEqual(prefix) {
            var number = 0
            var index = start + prefix.count
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                number = number * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            if index > start + prefix.count { return number }
        }
        return nil
    }
}
