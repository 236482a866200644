/// Hex digests and zero-padded numbers, written by hand: `String(format:)` goes through
/// Foundation's formatter on every call and showed up on the command path in benchmarks.
public enum Digits {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`, two digits per byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` in decimal, left-padded with zeros to `width` digits (`7`, 2 → `07`).
    public static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
