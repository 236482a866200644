import Foundation
import VigilCore
import VigilJSON

/// Decodes a PagerDuty v3 webhook body into a ``PagerDutyWebhookEvent``.
///
/// Verify the signature (``PagerDutyWebhookSignature``) on the raw bytes first; this decoder
/// trusts nothing and reads only the fields Vigil uses, so PagerDuty adding fields changes nothing.
public enum PagerDutyWebhookDecoder {
    /// Decodes `body`; unknown event types decode to ``PagerDutyWebhookEvent/EventType/other(_:)``.
    public static func decode(_ body: some Collection<UInt8>) throws(PagerDutyWebhookError) -> PagerDutyWebhookEvent {
        let root: JSONValue
        do throws(JSONError) {
            root = try JSONValue.parse(body)
        } catch {
            throw .malformedJSON(error.message)
        }
        guard let event = root["event"], event.objectMembers != nil else { throw .missingEvent }
        guard let id = event["id"]?.stringValue, !id.isEmpty else { throw .missingField("id") }
        guard let type = event["event_type"]?.stringValue, !type.isEmpty else { throw .missingField("event_type") }
        guard let occurred = event["occurred_at"]?.stringValue else { throw .missingField("occurred_at") }
        guard let occurredAt = ISO8601.date(from: occurred) else { throw .invalidDate(occurred) }

        return PagerDutyWebhookEvent(
            id: id,
            type: PagerDutyWebhookEvent.EventType(rawValue: type),
            resourceType: event["resource_type"]?.stringValue,
            occurredAt: occurredAt,
            agent: agent(event["agent"]),
            incident: incident(event["data"])
        )
    }

    private static func agent(_ value: JSONValue?) -> PagerDutyWebhookEvent.Agent? {
        guard let value, let id = value["id"]?.stringValue else { return nil }
        return PagerDutyWebhookEvent.Agent(id: id, type: value["type"]?.stringValue, summary: value["summary"]?.stringValue)
    }

    private static func incident(_ data: JSONValue?) -> PagerDutyWebhookEvent.Incident? {
        guard let data, data.objectMembers != nil else { return nil }
        if data["type"]?.stringValue == "incident", let id = data["id"]?.stringValue {
            return PagerDutyWebhookEvent.Incident(
                id: id,
                htmlURL: data["html_url"]?.stringValue,
                incidentKey: data["incident_key"]?.stringValue,
                status: data["status"]?.stringValue,
                title: data["title"]?.stringValue
            )
        }
        // Notes, responders and status updates carry an `incident_reference` instead.
        if let reference = data["incident"], let id = reference["id"]?.stringValue {
            return PagerDutyWebhookEvent.Incident(
                id: id,
                htmlURL: reference["html_url"]?.stringValue,
                incidentKey: nil,
                status: nil,
                title: reference["summary"]?.stringValue
            )
        }
        return nil
    }
}

/// ISO 8601 date-times as PagerDuty writes them: `2020-10-02T18:45:22.169Z`, `2020-04-09T15:16:27Z`,
/// or with an offset (`+02:00`, `+0200`).
///
/// Parsed by hand: the shape is fixed, and no formatter means no locale, no shared state and no
/// dependence on which offsets a platform's ISO 8601 parser happens to accept.
enum ISO8601 {
    static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[start..<start + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

        guard let year = number(0, 4), byte(4) == UInt8(ascii: "-"), let month = number(5, 2),
            byte(7) == UInt8(ascii: "-"), let day = number(8, 2), byte(10) == UInt8(ascii: "T") || byte(10) == UInt8(ascii: "t"),
            let hour = number(11, 2), byte(13) == UInt8(ascii: ":"), let minute = number(14, 2),
            byte(16) == UInt8(ascii: ":"), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }

        var index = 19
        var fraction = 0.0
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while let digit = byte(index), digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
                fraction += Double(digit - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }

        var offsetSeconds: Int64 = 0
        switch byte(index) {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = byte(index) == UInt8(ascii: "-") ? -1 : 1
            guard let offsetHours = number(index + 1, 2) else { return nil }
            var next = index + 3
            if byte(next) == UInt8(ascii: ":") { next += 1 }
            guard let offsetMinutes = number(next, 2), offsetHours < 24, offsetMinutes < 60 else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            index = next + 2
        default:
            return nil
        }
        guard index == bytes.count else { return nil }

        let days = Int64(ISOTimestamp.days(year: Int(year), month: Int(month), day: Int(day)))
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
