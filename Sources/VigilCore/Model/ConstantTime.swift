/// Comparison whose time does not depend on where two secrets first differ: every adapter that
/// checks a signature or a token compares with it.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        // Length is not secret (tokens and signatures have fixed shapes); the content is.
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
