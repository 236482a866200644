import Foundation

/// A property a harness checks beyond "does not crash" (a round trip, a bound). A violation is
/// reported like a crash: libFuzzer saves the input as a reproducer and the run fails.
public enum FuzzOracle {
    public static func expect(
        _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        guard !condition() else { return }
        // Straight to standard error: print() is buffered, and abort() does not flush it.
        FileHandle.standardError.write(Data("fuzz oracle failed at \(file):\(line): \(message())\n".utf8))
        abort()
    }
}
