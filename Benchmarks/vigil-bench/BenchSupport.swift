import Foundation

// Small pieces every vigil-bench benchmark uses.

/// Why a benchmark could not run to the end.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// SplitMix64: a tiny seeded generator, so every run seeds the same data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Memory {
    /// A `kB` line of /proc/self/status (`VmRSS`, `VmHWM`), in KiB.
    static func kib(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}

func progress(_ text: String) {
    FileHandle.standardError.write(Data("[vigil-bench] \(text)\n".utf8))
}

/// `100,000`: counts in tables read like the prose around them.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
        out.append(digit)
    }
    return (value < 0 ? "-" : "") + out
}

/// Bytes an SQLite database takes: its file and its WAL.
func sqliteBytes(_ path: String) -> Int64 {
    ["", "-wal"].reduce(0) { total, suffix in
        let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value
        return total + (size ?? 0)
    }
}
