import Foundation

/// One payload's six timings: parse and serialize with json-c, `JSONSerialization` and Codable.
struct PayloadFigures {
    var name: String
    var bytes: Int
    /// json-c, JSONSerialization, JSONDecoder.
    var parse: [MicroResult] = []
    /// json-c, JSONSerialization, JSONEncoder.
    var serialize: [MicroResult] = []

    /// json-c's median time over `other`'s: below 1, json-c is faster.
    func ratio(_ results: [MicroResult], _ other: Int) -> Double { results[0].median / results[other].median }
}

struct JSONFigures {
    var payloads: [PayloadFigures] = []
    var render: [MicroResult] = []

    static let codecs = (parse: ["json-c", "JSONSerialization", "JSONDecoder"], serialize: ["json-c", "JSONSerialization", "JSONEncoder"])

    /// Geometric mean over the payloads of json-c's time over codec `other`'s.
    func meanRatio(_ results: KeyPath<PayloadFigures, [MicroResult]>, _ other: Int) -> Double {
        let logs = payloads.map { log($0.ratio($0[keyPath: results], other)) }
        return exp(logs.reduce(0, +) / Double(logs.count))
    }

    var markdown: String {
        var text = "### JSON codec: json-c (`VigilJSON`) vs `JSONSerialization` vs `JSONDecoder`/`JSONEncoder`\n\n"
        text += "Median time per document and throughput; a ratio below 1 means json-c takes less time.\n\n"
        text += comparison("Parse (bytes → value)", \.parse, Self.codecs.parse)
        text += "\n" + comparison("Serialize (value → bytes)", \.serialize, Self.codecs.serialize)
        text += String(
            format: "\nGeometric mean of json-c ÷ JSONSerialization over the %d payloads: parse %.2f×, serialize %.2f×; "
                + "json-c ÷ Codable: parse %.2f×, serialize %.2f×.\n",
            payloads.count, meanRatio(\.parse, 1), meanRatio(\.serialize, 1), meanRatio(\.parse, 2), meanRatio(\.serialize, 2))
        text += "\nThe reply path after the store (render a core `Reply`, then serialize it with json-c):\n\n"
        text += MicroFormat.header + "\n"
        for result in render { text += MicroFormat.row(result) + "\n" }
        text += "\nEvery JSON timing with its spread (serialize sizes are each codec's own output):\n\n"
        text += MicroFormat.header + "\n"
        for payload in payloads {
            for result in payload.parse + payload.serialize { text += MicroFormat.row(result) + "\n" }
        }
        return text
    }

    private func comparison(_ title: String, _ results: KeyPath<PayloadFigures, [MicroResult]>, _ names: [String]) -> String {
        var text = "\(title):\n\n| payload | bytes | \(names.joined(separator: " | ")) | json-c ÷ \(names[1]) | json-c ÷ \(names[2]) |\n"
        text += "|---|---:|---:|---:|---:|---:|---:|\n"
        for payload in payloads {
            let row = payload[keyPath: results]
            let cells = row.map { "\(MicroFormat.time($0.median)) · \(MicroFormat.megabytesPerSecond($0)) MB/s" }
            text += "| \(MicroFormat.cell(payload.name)) | \(payload.bytes) | \(cells.joined(separator: " | ")) | "
            text += String(format: "%.2f | %.2f |\n", payload.ratio(row, 1), payload.ratio(row, 2))
        }
        return text
    }

    var summaryRows: [(String, String)] {
        func times(_ results: [MicroResult]) -> String {
            // One unit for the three, that of the slowest.
            let reference = results.map(\.median).max()!
            let (scale, unit) = MicroFormat.unit(reference)
            let values = results.map { result -> String in
                let value = result.median / scale
                return String(format: value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value)
            }
            return values.joined(separator: " / ") + " " + unit
        }
        var rows: [(String, String)] = []
        let picks = payloads.filter { $0.name.hasPrefix("Slack reply to `status") || $0.name.hasPrefix("Slack `block_actions`") }
        for payload in picks {
            let short =
                payload.name.hasPrefix("Slack reply")
                ? "Slack reply to `status` (\(payload.bytes) B)" : "Slack `block_actions` payload (\(payload.bytes) B)"
            rows.append(("JSON parse, \(short): json-c vs JSONSerialization vs JSONDecoder", times(payload.parse)))
            rows.append(("JSON serialize, \(short): json-c vs JSONSerialization vs JSONEncoder", times(payload.serialize)))
        }
        rows.append(
            (
                "JSON, json-c ÷ JSONSerialization time (geometric mean over \(payloads.count) payloads)",
                String(format: "parse %.2f×, serialize %.2f×", meanRatio(\.parse, 1), meanRatio(\.serialize, 1))
            ))
        if let slack = render.first {
            rows.append(("Render + serialize the Slack reply to `status` (\(slack.bytes ?? 0) B)", MicroFormat.headline(slack)))
        }
        return rows
    }
}
