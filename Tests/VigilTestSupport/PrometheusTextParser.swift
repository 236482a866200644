import Foundation

/// A parser of the Prometheus text exposition format (version 0.0.4), written from the format's
/// description and not from the library that writes `/metrics`, so that a test reads the output
/// as Prometheus would: `# HELP` and `# TYPE` lines, other comments, and samples
/// `name{label="value",…} value [timestamp]`, with `\\`, `\"` and `\n` escaped in label values.
/// Anything else is rejected with the line's number.
public struct PrometheusExposition: Sendable, Equatable {
    /// One sample line.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
        /// Milliseconds since the epoch, when the line gives one.
        public var timestamp: Int64?
    }

    /// Metric family → its `# HELP` text, unescaped.
    public var help: [String: String] = [:]
    /// Metric family → `counter`, `gauge`, `histogram`, `summary` or `untyped`.
    public var types: [String: String] = [:]
    public var samples: [Sample] = []

    public static let metricTypes: Set<String> = ["counter", "gauge", "histogram", "summary", "untyped"]

    /// Samples of the series `name` (for a histogram, `name_bucket`, `name_sum`, `name_count`).
    public func samples(named name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// The family a sample belongs to: its own name, or for a histogram's or a summary's parts the
    /// name they share.
    public func family(of sampleName: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if let type = types[base], type == "histogram" || type == "summary" { return base }
        }
        return sampleName
    }

    /// Parses a whole exposition.
    public static func parse(_ text: String) throws(PrometheusParseError) -> PrometheusExposition {
        var exposition = PrometheusExposition()
        var sampled: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                try exposition.comment(Substring(line), line: number, sampled: sampled)
                continue
            }
            var scanner = LineScanner(line, number: number)
            let sample = try scanner.sample()
            let family = exposition.family(of: sample.name)
            try exposition.check(sample, family: family, line: number)
            sampled.insert(family)
            exposition.samples.append(sample)
        }
        try exposition.checkHistograms()
        return exposition
    }

    private mutating func comment(_ line: Substring, line number: Int, sampled: Set<String>) throws(PrometheusParseError) {
        let words = line.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
        let keyword = words.prefix(while: { $0 != " " && $0 != "\t" })
        guard keyword == "HELP" || keyword == "TYPE" else { return }  // any other comment
        let rest = words.dropFirst(keyword.count).drop(while: { $0 == " " || $0 == "\t" })
        let name = String(rest.prefix(while: { $0 != " " && $0 != "\t" }))
        guard LineScanner.isMetricName(name) else { throw PrometheusParseError(line: number, "bad metric name in # \(keyword)") }
        let value = rest.dropFirst(name.count).drop(while: { $0 == " " || $0 == "\t" })
        if keyword == "HELP" {
            guard help[name] == nil else { throw PrometheusParseError(line: number, "second # HELP for \(name)") }
            help[name] = try Self.unescapeHelp(value, line: number)
        } else {
            guard Self.metricTypes.contains(String(value)) else { throw PrometheusParseError(line: number, "unknown type \(value)") }
            guard types[name] == nil else { throw PrometheusParseError(line: number, "second # TYPE for \(name)") }
            guard !sampled.contains(name) else { throw PrometheusParseError(line: number, "# TYPE after samples of \(name)") }
            types[name] = String(value)
        }
    }

    private func check(_ sample: Sample, family: String, line: Int) throws(PrometheusParseError) {
        if types[family] == "histogram", sample.name == family + "_bucket" {
            guard let bound = sample.labels["le"], LineScanner.number(Substring(bound)) != nil else {
                throw PrometheusParseError(line: line, "histogram bucket without a numeric le label")
            }
        }
        // A dictionary compares regardless of order, as label sets do.
        if samples.contains(where: { $0.name == sample.name && $0.labels == sample.labels }) {
            throw PrometheusParseError(line: line, "duplicate series \(sample.name)")
        }
    }

    /// Each histogram series: buckets cumulative, a `+Inf` bucket equal to `_count`.
    private func checkHistograms() throws(PrometheusParseError) {
        for (family, type) in types where type == "histogram" {
            var series: [[String: String]: [(Double, Double)]] = [:]
            for sample in samples(named: family + "_bucket") {
                var labels = sample.labels
                let bound = LineScanner.number(Substring(labels.removeValue(forKey: "le") ?? "")) ?? .nan
                series[labels, default: []].append((bound, sample.value))
            }
            for (labels, buckets) in series {
                let sorted = buckets.sorted { $0.0 < $1.0 }
                guard sorted.last?.0 == .infinity else { throw PrometheusParseError(line: 0, "\(family) has no +Inf bucket") }
                for (lower, upper) in zip(sorted, sorted.dropFirst()) where upper.1 < lower.1 {
                    throw PrometheusParseError(line: 0, "\(family) buckets are not cumulative")
                }
                let count = samples(named: family + "_count").first { $0.labels == labels }?.value
                guard count == sorted.last?.1 else { throw PrometheusParseError(line: 0, "\(family)_count is not its +Inf bucket") }
            }
        }
    }

    private static func unescapeHelp(_ text: Substring, line: Int) throws(PrometheusParseError) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "\\": result.append("\\")
                case "n": result.append("\n")
                default: throw PrometheusParseError(line: line, "bad escape in # HELP")
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        guard !escaping else { throw PrometheusParseError(line: line, "# HELP ends in a backslash") }
        return result
    }
}

/// Where and why ``PrometheusExposition/parse(_:)`` gave up (line 0: the whole exposition).
public struct PrometheusParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

/// One sample line, character by character.
private struct LineScanner {
    let characters: [Character]
    let number: Int
    var position = 0

    init(_ line: Substring, number: Int) {
        characters = Array(line)
        self.number = number
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// A sample value: a float, `NaN`, `+Inf` or `-Inf`.
    static func number(_ text: Substring) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
            return Double(text)
        }
    }

    private func fail(_ reason: String) -> PrometheusParseError { PrometheusParseError(line: number, reason) }

    private var current: Character? { position < characters.count ? characters[position] : nil }

    private mutating func word(_ allowed: (Character) -> Bool) -> String {
        let start = position
        while let character = current, allowed(character) { position += 1 }
        return String(characters[start..<position])
    }

    private mutating func skipBlanks() -> Bool {
        let start = position
        while current == " " || current == "\t" { position += 1 }
        return position > start
    }

    mutating func sample() throws(PrometheusParseError) -> PrometheusExposition.Sample {
        let name = word { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
        guard Self.isMetricName(name) else { throw fail("bad metric name") }
        var labels: [String: String] = [:]
        if current == "{" {
            position += 1
            labels = try labelSet()
        }
        guard skipBlanks() else { throw fail("no blank before the value") }
        guard let value = Self.number(Substring(word { $0 != " " && $0 != "\t" })) else { throw fail("bad value") }
        var timestamp: Int64?
        if skipBlanks(), current != nil {
            guard let stamp = Int64(word { $0 != " " && $0 != "\t" }) else { throw fail("bad timestamp") }
            timestamp = stamp
            _ = skipBlanks()
        }
        guard current == nil else { throw fail("text after the sample") }
        return PrometheusExposition.Sample(name: name, labels: labels, value: value, timestamp: timestamp)
    }

    /// After `{`: `name="value"` pairs separated by commas (one trailing comma allowed), then `}`.
    private mutating func labelSet() throws(PrometheusParseError) -> [String: String] {
        var labels: [String: String] = [:]
        while true {
            _ = skipBlanks()
            if current == "}" {
                position += 1
                return labels
            }
            let name = word { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            guard Self.isLabelName(name) else { throw fail("bad label name") }
            _ = skipBlanks()
            guard current == "=" else { throw fail("no = after label \(name)") }
            position += 1
            _ = skipBlanks()
            guard current == "\"" else { throw fail("label \(name)'s value is not quoted") }
            position += 1
            let value = try quoted()
            guard labels.updateValue(value, forKey: name) == nil else { throw fail("label \(name) twice") }
            _ = skipBlanks()
            switch current {
            case ",": position += 1
            case "}": continue
            default: throw fail("no , or } after label \(name)")
            }
        }
    }

    /// After the opening quote: the value up to the closing one, unescaped.
    private mutating func quoted() throws(PrometheusParseError) -> String {
        var value = ""
        while let character = current {
            position += 1
            switch character {
            case "\"": return value
            case "\\":
                switch current {
                case "\\": value.append("\\")
                case "\"": value.append("\"")
                case "n": value.append("\n")
                default: throw fail("bad escape in a label value")
                }
                position += 1
            default: value.append(character)
            }
        }
        throw fail("label value not closed")
    }
}
