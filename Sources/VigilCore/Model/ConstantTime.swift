/// Comparison whose time does not depend on where two secrets first differ: every adapter that
/// checks a signature or a token compares with it.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes.
    ///
    /// Inlinable so that each adapter's call is specialized for its own collection types: across
    /// the module boundary the generic version walked both through protocol witnesses, which made
    /// the Mattermost token check 38 times slower (`make bench`, Benchmarks/history.md).
    @inlinable
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        // Length is not secret (tokens and signatures have fixed shapes); the content is.
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
