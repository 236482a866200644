import Foundation
import Testing
import VigilPagers

@Suite("E-mail rendering")
struct EmailMessageTests {
    /// 2026-11-28 21:40:00 UTC, a Saturday.
    let now = Date(timeIntervalSince1970: 1_795_902_000)

    func message(subject: String = "[sev1] INC-42 opened", body: String = "Card testing spike\nOwner: ava") throws -> EmailMessage {
        try EmailMessage(
            from: EmailAddress("vigil@alerts.example.com"),
            to: [EmailAddress("ava@example.com"), EmailAddress("ben@example.org")],
            subject: subject,
            body: body,
            date: now,
            incidentID: "INC-42",
            uniqueToken: "7f3a9c"
        )
    }

    /// Header lines (unfolded) and the decoded body of a rendered message.
    func parse(_ bytes: [UInt8]) throws -> (headers: [(String, String)], body: String) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2)
        let unfolded = parts[0].replacingOccurrences(of: "\r\n ", with: " ")
        let headers = unfolded.components(separatedBy: "\r\n").map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(colon, offsetBy: 2)...]))
        }
        let encoded = parts[1].replacingOccurrences(of: "\r\n", with: "")
        let body = String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
        return (headers, body)
    }

    @Test func rendersAllHeadersAndABase64Body() throws {
        // MUT
        let rendered = try message().rendered()
        let (headers, body) = try parse(rendered)

        // validate
        let names = headers.map(\.0)
        #expect(
            names == [
                "Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type",
                "Content-Transfer-Encoding", "Auto-Submitted",
            ])
        let value = { (name: String) in headers.first { $0.0 == name }?.1 }
        #expect(value("Date") == "Sat, 28 Nov 2026 21:40:00 +0000")
        #expect(value("From") == "vigil@alerts.example.com")
        #expect(value("To") == "ava@example.com, ben@example.org")
        #expect(value("Subject") == "[sev1] INC-42 opened")
        #expect(value("Message-ID") == "<INC-42.7f3a9c@alerts.example.com>")
        #expect(value("MIME-Version") == "1.0")
        #expect(value("Content-Type") == "text/plain; charset=utf-8")
        #expect(value("Content-Transfer-Encoding") == "base64")
        #expect(body == "Card testing spike\r\nOwner: ava\r\n")
    }

    @Test func everyLineEndsInCRLFAndIsShort() throws {
        let long = String(repeating: "word ", count: 400)
        let rendered = String(decoding: try message(body: long).rendered(), as: UTF8.self)
        #expect(rendered.hasSuffix("\r\n"))
        let lines = rendered.components(separatedBy: "\r\n").dropLast()
        #expect(!lines.contains { $0.contains("\r") || $0.contains("\n") })
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        // No body line can start with "." (base64 never does), so SMTP dot-stuffing never changes it.
        #expect(!lines.contains { $0.hasPrefix(".") })
    }

    @Test func headerInjectionThroughTheSubjectIsImpossible() throws {
        let (headers, _) = try parse(try message(subject: "Hi\r\nBcc: everyone@example.com\nX-Evil: 1").rendered())
        #expect(!headers.contains { $0.0 == "Bcc" || $0.0 == "X-Evil" })
        #expect(headers.first { $0.0 == "Subject" }?.1 == "Hi  Bcc: everyone@example.com X-Evil: 1")
    }

    @Test func nonASCIISubjectUsesEncodedWords() throws {
        // setup: long enough to need several encoded-words
        let subject = "[sev1] INC-42 Betrug in Zürich: Kartentests 🚨 " + String(repeating: "ä", count: 40)

        // MUT
        let rendered = String(decoding: try message(subject: subject).rendered(), as: UTF8.self)
        let (headers, _) = try parse(Array(rendered.utf8))

        // validate: ASCII on the wire, every word within RFC 2047's 75 characters, and it decodes back
        let raw = try #require(headers.first { $0.0 == "Subject" }?.1)
        #expect(raw.utf8.allSatisfy { $0 < 0x80 })
        let words = raw.split(separator: " ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        let decoded = words.map { word -> [UInt8] in
            let payload = word.dropFirst(10).dropLast(2)
            return Array(Data(base64Encoded: String(payload)) ?? Data())
        }
        // Each word holds whole UTF-8 sequences, so each decodes on its own.
        #expect(decoded.allSatisfy { String(validating: $0, as: UTF8.self) != nil })
        #expect(String(decoding: decoded.flatMap { $0 }, as: UTF8.self) == subject)
    }

    @Test func asciiSubjectThatLooksEncodedIsEncoded() throws {
        let (headers, _) = try parse(try message(subject: "=?UTF-8?B?SGk=?=").rendered())
        #expect(headers.first { $0.0 == "Subject" }?.1.hasPrefix("=?UTF-8?B?PT9") == true)
    }

    @Test func bodyLineEndingsAreNormalisedAndUnicodeSurvives() throws {
        let (_, body) = try parse(try message(body: "a\rb\nc\r\n.d\r\n\r\nné 🚨").rendered())
        #expect(body == "a\r\nb\r\nc\r\n.d\r\n\r\nné 🚨\r\n")
    }

    @Test func randomMessageIDsDiffer() throws {
        let from = try EmailAddress("vigil@example.com")
        let to = [try EmailAddress("a@example.com")]
        let first = try EmailMessage(from: from, to: to, subject: "s", body: "b", date: now, incidentID: "INC 1/2")
        let second = try EmailMessage(from: from, to: to, subject: "s", body: "b", date: now, incidentID: "INC 1/2")
        #expect(first.messageID != second.messageID)
        #expect(first.messageID.hasPrefix("<INC-1/2."))
        #expect(first.messageID.hasSuffix("@example.com>"))
    }

    @Test(arguments: ["ava@example.com", "a.b+tag@sub.example.co", "x@y"])
    func validAddresses(address: String) throws {
        #expect(try EmailAddress(address).address == address)
    }

    @Test(arguments: [
        "", "no-at-sign", "two@@example.com", "a@b@c", "@example.com", "ava@", "ava @example.com",
        "ava@example.com\r\nBcc: x@y", "<ava@example.com>", "Ava <ava@example.com>", "a,b@example.com", "äva@example.com",
    ])
    func invalidAddressesGiveAClearError(address: String) {
        #expect {
            try EmailAddress(address)
        } throws: { error in
            guard case .invalidAddress(let shown, let reason) = error as? EmailError else { return false }
            return !shown.contains("\n") && !reason.isEmpty
        }
    }

    @Test func aMessageNeedsRecipients() throws {
        #expect(throws: EmailError.noRecipients) {
            try EmailMessage(
                from: EmailAddress("v@example.com"), to: [], subject: "s", body: "b", date: now, incidentID: "INC-1")
        }
    }
}
