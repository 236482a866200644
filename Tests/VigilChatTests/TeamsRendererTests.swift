import Testing
import VigilChat
import VigilCore
import VigilJSON

/// Teams' Adaptive Cards: the envelope of a reply and of a Workflows post, the TextBlocks, the
/// escaping of what users typed, and the limits.
@Suite struct TeamsRendererTests {
    let renderer = TeamsRenderer()
    let message = Message(lines: [
        [
            .bold("INC-7"), .text(" opened · SEV1 · fraud — Refund abuse · reporter "),
            .mention(UserRef(id: "29:1ava", name: "Ava Lindqvist")),
        ],
        [.text("act: "), .code("/incident ack INC-7")],
    ])

    func card(_ body: JSONValue) -> JSONValue? { body["attachments"]?.arrayValue?.first?["content"] }

    /// The text of each TextBlock of a Workflows post of `lines`.
    func texts(_ lines: [[Span]]) -> [String] {
        (card(renderer.webhookBody(Message(lines: lines)))?["body"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
    }

    @Test func oneCardVersionForRepliesAndPosts() {
        #expect(TeamsRenderer.cardVersion == "1.4")
        #expect(card(renderer.replyBody(Reply(.inChannel, message)))?["version"]?.stringValue == "1.4")
        #expect(card(renderer.webhookBody(message))?["version"]?.stringValue == "1.4")
    }

    @Test("a reply is a message with the facts in its summary and one Adaptive Card of TextBlocks")
    func replyEnvelope() throws {
        // MUT
        let body = renderer.replyBody(Reply(.ephemeral, message))

        // validate
        #expect(body["type"]?.stringValue == "message")
        let facts = "INC-7 opened · SEV1 · fraud — Refund abuse · reporter @Ava Lindqvist\nact: /incident ack INC-7"
        #expect(body["summary"]?.stringValue == facts)
        // No `text`: Teams would post it as a second message beside the card.
        #expect(body["text"] == nil)
        let attachment = try #require(body["attachments"]?.arrayValue?.first)
        #expect(body["attachments"]?.arrayValue?.count == 1)
        #expect(attachment["contentType"]?.stringValue == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"])
        #expect(card["$schema"]?.stringValue == "http://adaptivecards.io/schemas/adaptive-card.json")
        #expect(card["type"]?.stringValue == "AdaptiveCard")
        let blocks = try #require(card["body"]?.arrayValue)
        #expect(
            blocks.map { $0["text"]?.stringValue } == [
                "**INC-7** opened · SEV1 · fraud — Refund abuse · reporter @Ava Lindqvist", "act: `/incident ack INC-7`",
            ])
        #expect(blocks.allSatisfy { $0["type"]?.stringValue == "TextBlock" && $0["wrap"] == true })
        #expect(blocks[0]["spacing"] == nil)
        #expect(blocks[1]["spacing"]?.stringValue == "None")
        #expect(try JSONValue.parse(body.serialized()) == body)
    }

    @Test("a Workflows post is the card wrapped as protocols.md §4.2 shows")
    func webhookEnvelope() throws {
        let body = renderer.webhookBody(message)
        #expect(body.objectMembers?.map(\.0) == ["type", "attachments"])
        #expect(body["type"]?.stringValue == "message")
        let attachment = try #require(body["attachments"]?.arrayValue?.first)
        #expect(attachment.objectMembers?.map(\.0) == ["contentType", "contentUrl", "content"])
        #expect(attachment["contentType"]?.stringValue == "application/vnd.microsoft.card.adaptive")
        #expect(attachment["contentUrl"] == .null)
        #expect(attachment["content"] == card(renderer.replyBody(Reply(.inChannel, message))))
    }

    @Test(
        "a hostile title renders as typed: no link, no bold, no list",
        arguments: [
            ("[click](https://evil.example)", #"\[click\](https://evil.example)"#),
            ("**x**", #"\*\*x\*\*"#),
            ("_it_ \\*", #"\_it\_ \\\*"#),
            ("{{DATE(2017-02-14T06:08:39Z, SHORT)}}", "{\u{200B}{DATE(2017-02-14T06:08:39Z, SHORT)}}"),
            ("- not # a > list 1. here", "- not # a > list 1. here"),
        ])
    func hostileTextMidLine(title: String, escaped: String) {
        #expect(texts([[.bold("INC-7"), .text(" opened — \(title)")]]) == ["**INC-7** opened — \(escaped)"])
    }

    @Test(
        "what would start a list, heading or quote at the start of a line is escaped",
        arguments: [
            ("- item", #"\- item"#), ("  - item", #"  \- item"#), ("+ item", #"\+ item"#), ("# Heading", ##"\# Heading"##),
            ("> quote", #"\> quote"#), ("1. first", #"1\. first"#), ("12) twelfth", #"12\) twelfth"#), ("2026 plans", "2026 plans"),
            ("* star", #"\* star"#), ("first\n- second", "first|\\- second"),
        ])
    func lineStarts(text: String, escaped: String) {
        #expect(texts([[.text(text)]]).joined(separator: "|") == escaped)
        // The same when the line is made of more than one span.
        #expect(texts([[.text(""), .text("a\n"), .text(text)]]).joined(separator: "|") == "a|" + escaped)
    }

    @Test func mentionsAreEscapedNamesThatPingNoOne() {
        let lines: [[Span]] = [
            [
                .text("owner "), .mention(UserRef(id: "29:1x", name: "[x](https://evil.example)")), .text(" and "),
                .mention(UserRef(id: "b", name: "Ben")),
            ]
        ]
        #expect(texts(lines) == [#"owner @\[x\](https://evil.example) and @Ben"#])
        #expect(card(renderer.webhookBody(Message(lines: lines)))?["msteams"] == nil)
    }

    @Test func boldKeepsItsMarkersAgainstItsWords() {
        #expect(texts([[.bold("Deadlines met: "), .text("3 of 4")]]) == ["**Deadlines met:** 3 of 4"])
        #expect(texts([[.bold("  "), .text("x")]]) == ["  x"])
        #expect(texts([[.bold("a\nb")]]) == ["**a b**"])
    }

    @Test("within limits: at most 100 TextBlocks and about 20 KB of text, the rest cut with a note")
    func staysWithinLimits() throws {
        // setup
        let many = Message(lines: (0..<400).map { [.text("line \($0) ")] })
        let long = Message(lines: (0..<40).map { [.text("line \($0) " + String(repeating: "é*", count: 400))] })
        let huge = Message(lines: [[.text(String(repeating: "x", count: 100_000))], [.text("after")]])

        for message in [many, long, huge] {
            // MUT
            let body = renderer.replyBody(Reply(.inChannel, message))

            // validate
            let blocks = try #require(card(body)?["body"]?.arrayValue)
            #expect(blocks.count <= 100)
            #expect(body.serialized().count < 24_000)
            #expect(blocks.last?["text"]?.stringValue?.hasSuffix("cut)") == true)
            #expect((body["summary"]?.stringValue?.count ?? 0) <= 500)
        }
        #expect(card(renderer.replyBody(Reply(.inChannel, many)))?["body"]?.arrayValue?.last?["text"] == "… (301 more lines cut)")
        let hugeBlocks = card(renderer.replyBody(Reply(.inChannel, huge)))?["body"]?.arrayValue ?? []
        #expect(hugeBlocks.count == 2)
        #expect(hugeBlocks.first?["text"]?.stringValue?.hasSuffix("x…") == true)
        #expect(hugeBlocks.last?["text"] == "… (1 more line cut)")
    }

    @Test func aShortMessageIsNeverCut() {
        let lines: [[Span]] = (0..<100).map { [.text("line \($0)")] }
        #expect(texts(lines).count == 100)
        #expect(texts(lines).last == "line 99")
    }
}
