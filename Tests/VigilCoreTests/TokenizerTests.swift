import Testing
import VigilCore

@Suite struct TokenizerTests {
    @Test func splitsOnWhiteSpaceAndKeepsQuotedWordsWhole() throws {
        let tokens = try Tokenizer.tokenize(#"open  sev1 "card testing"  spike"#)
        #expect(tokens.map(\.text) == ["open", "sev1", "card testing", "spike"])
        #expect(tokens.map(\.quoted) == [false, false, true, false])
    }

    @Test func acceptsTypographicQuotes() throws {
        let tokens = try Tokenizer.tokenize("note 4 \u{201C}creator says hi\u{201D}")
        #expect(tokens.map(\.text) == ["note", "4", "creator says hi"])
    }

    @Test func apostrophesAreNotQuotes() throws {
        let tokens = try Tokenizer.tokenize("note 4 creator's payout")
        #expect(tokens.map(\.text) == ["note", "4", "creator's", "payout"])
    }

    @Test func decodesSlackEscapes() throws {
        let tokens = try Tokenizer.tokenize("note 4 a&amp;b &lt;script&gt;")
        #expect(tokens.map(\.text) == ["note", "4", "a&b", "<script>"])
    }

    @Test func refusesAnUnclosedQuote() {
        #expect(throws: UserError.self) { try Tokenizer.tokenize(#"open sev1 fraud "never closed"#) }
    }
}
