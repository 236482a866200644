import FuzzSupport
import VigilCore

/// The tokenizer and the command parser, with the real specs from `commands/` and the policy of
/// `vigil.example.yaml`: any text typed after `/incident` must parse or be refused with a
/// ``UserError``, never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommand(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let text = FuzzInput.text(start, count)
    let parser = FuzzRepository.parser
    if let tokens = try? Tokenizer.tokenize(text) {
        for token in tokens {
            // A token's range is where it stood in the text; the free-text argument is cut
            // from the text with it.
            FuzzOracle.expect(
                token.range.lowerBound >= text.startIndex && token.range.upperBound <= text.endIndex,
                "token \(token.text.debugDescription) lies outside the text")
        }
    }
    do {
        let parsed = try parser.parse(text)
        FuzzOracle.expect(parser.spec(named: parsed.spec.name) != nil, "parsed into an unknown spec \(parsed.spec.name)")
    } catch {
        // The refusal the user would see.
        _ = error.description
        _ = error.reply
    }
    return 0
}
