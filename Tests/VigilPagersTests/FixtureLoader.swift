import Foundation

/// Reads a recorded payload from `Fixtures/`, byte for byte.
enum FixtureLoader {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return Array(try Data(contentsOf: url))
    }
}
