import Testing
import VigilJSON

@Suite struct JSONCodecTests {
    @Test(arguments: [
        ("123", JSONValue.int(123)),
        ("true", .bool(true)),
        ("null", .null),
        ("\"a/b\"", .string("a/b")),
        ("-0.5", .double(-0.5)),
        ("[1,\"x\",[]]", .array([.int(1), .string("x"), .array([])])),
    ])
    func parsesEveryKindIncludingBareScalars(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test func objectsKeepDocumentOrder() throws {
        let value = try JSONValue.parse(#"{"z":1,"a":{"y":true,"b":null},"m":"é"}"#)
        #expect(value.objectMembers?.map(\.0) == ["z", "a", "m"])
        #expect(value["a"]?.objectMembers?.map(\.0) == ["y", "b"])
        #expect(value["m"]?.stringValue == "é")
    }

    @Test func printsCompactlyWithoutSlashEscapesOrDoubleNoise() {
        let value: JSONValue = ["url": "https://hooks.slack.com/x", "n": 0.1, "i": 3, "whole": 2.0, "s": "a\"b\n"]
        #expect(value.serializedString() == #"{"url":"https://hooks.slack.com/x","n":0.1,"i":3,"whole":2.0,"s":"a\"b\n"}"#)
    }

    @Test func roundTripsUnicodeAndEscapes() throws {
        let value: JSONValue = ["text": "Café ☕ <@U1|ava> \u{1F600} tab\t"]
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":1} x", "nul", "tru", "01x"])
    func rejectsMalformedText(text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(text) }
    }

    @Test func rejectsNulBytes() {
        #expect(throws: JSONError.self) { try JSONValue.parse([0x22, 0x00, 0x22]) }
    }

    @Test func nonFiniteDoublesPrintAsNull() {
        #expect(JSONValue.array([.double(.infinity)]).serializedString() == "[null]")
    }
}
