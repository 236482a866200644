import FuzzSupport
import VigilChat

/// `application/x-www-form-urlencoded` bodies: any bytes decode or are refused with a
/// ``ChatRequestError``; what decodes encodes back to a body that decodes to the same fields.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormBody(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let form = try? FormBody(decoding: FuzzInput.bytes(start, count)) else { return 0 }
    let encoded = form.encoded()
    do {
        let again = try FormBody(decoding: Array(encoded.utf8))
        FuzzOracle.expect(again == form, "fields \(form.fields) encode as \(encoded.debugDescription), which decodes to \(again.fields)")
    } catch {
        FuzzOracle.expect(false, "fields \(form.fields) encode as \(encoded.debugDescription), which does not decode: \(error)")
    }
    return 0
}
