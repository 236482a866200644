import Testing
import VigilJSON

/// Inputs `make fuzz` found (FuzzJSON), each fed through the public API exactly as found.
@Suite struct JSONFuzzRegressionTests {
    /// FuzzJSON: json-c accepts `NaN` and `Infinity`, which JSON has no words for; the value
    /// then printed as `null`, so what Vigil wrote back was not what it had read.
    @Test(arguments: ["NaN", "Infinity", "-Infinity", "[1,NaN]", #"{"a":-Infinity}"#, "1e999", "-1e999"])
    func nonFiniteNumbersAreRefused(text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(text) }
    }

    @Test func largeFiniteNumbersStillRoundTrip() throws {
        let value = try JSONValue.parse("[1e308,-1e308,5e-324]")
        #expect(try JSONValue.parse(value.serialized()) == value)
    }
}

/// FuzzJSON: two keys that differ only in bytes that are not UTF-8 were both repaired to the
/// same `"a\u{FFFD}"`; printing the object back kept one of them. Such text is not JSON.
@Suite struct JSONInvalidUTF8RegressionTests {
    @Test func keysThatAreNotUTF8AreRefused() {
        let bytes: [UInt8] = Array(#"{"a"#.utf8) + [0xFF] + Array(#"":1,"a"#.utf8) + [0xFE] + Array(#"":2}"#.utf8)
        #expect(throws: JSONError.self) { try JSONValue.parse(bytes) }
    }

    @Test func stringsThatAreNotUTF8AreRefused() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]  // "a\xC3(": a lead byte without its follower
        #expect(throws: JSONError.self) { try JSONValue.parse(bytes) }
    }

    @Test func validUTF8StillReads() throws {
        #expect(try JSONValue.parse(#"{"café":"☕ \u00e9"}"#) == ["café": "☕ é"])
    }
}
