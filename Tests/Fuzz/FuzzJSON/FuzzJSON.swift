import FuzzSupport
import VigilJSON

/// The json-c codec: any bytes parse or are refused with a ``JSONError``. What parses prints as
/// JSON that parses back to the same value, and printing that value again gives the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let value = try? JSONValue.parse(FuzzInput.bytes(start, count)) else { return 0 }
    let printed = value.serialized()
    let shown = String(decoding: printed, as: UTF8.self)
    do {
        let again = try JSONValue.parse(printed)
        FuzzOracle.expect(again == value, "\(value) prints as \(shown), which parses to \(again)")
        let reprinted = again.serialized()
        FuzzOracle.expect(reprinted == printed, "\(shown) prints again as \(String(decoding: reprinted, as: UTF8.self))")
    } catch {
        FuzzOracle.expect(false, "\(value) prints as \(shown), which does not parse: \(error)")
    }
    return 0
}
