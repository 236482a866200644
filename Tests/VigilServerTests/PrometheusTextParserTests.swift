import Testing
import VigilTestSupport

/// The independent text-format parser that the `/metrics` tests read the endpoint with.
@Suite struct PrometheusTextParserTests {
    @Test func readsHelpTypeAndSamples() throws {
        let text = """
            # HELP vigil_commands_total Commands by subcommand\\nand outcome.
            # TYPE vigil_commands_total counter
            vigil_commands_total{subcommand="open",outcome="applied"} 2
            vigil_commands_total{subcommand="ack", outcome="refused",} 1 1700000000000
            # a plain comment
            # TYPE up gauge
            up 1.5e0

            """
        let exposition = try PrometheusExposition.parse(text)
        #expect(exposition.help["vigil_commands_total"] == "Commands by subcommand\nand outcome.")
        #expect(exposition.types == ["vigil_commands_total": "counter", "up": "gauge"])
        #expect(exposition.samples.count == 3)
        #expect(exposition.samples[0].labels == ["subcommand": "open", "outcome": "applied"])
        #expect(exposition.samples[1].timestamp == 1_700_000_000_000)
        #expect(exposition.samples(named: "up").first?.value == 1.5)
    }

    @Test func unescapesLabelValues() throws {
        let exposition = try PrometheusExposition.parse(#"m{a="back\\slash",b="say \"hi\"",c="two\nlines"} 1"#)
        #expect(exposition.samples[0].labels == ["a": "back\\slash", "b": "say \"hi\"", "c": "two\nlines"])
    }

    @Test func readsSpecialValues() throws {
        let exposition = try PrometheusExposition.parse("a NaN\nb +Inf\nc -Inf\n")
        #expect(exposition.samples[0].value.isNaN)
        #expect(exposition.samples[1].value == .infinity)
        #expect(exposition.samples[2].value == -.infinity)
    }

    @Test func checksHistograms() throws {
        let good = """
            # TYPE h histogram
            h_bucket{le="0.1"} 1
            h_bucket{le="+Inf"} 3
            h_sum 0.7
            h_count 3
            """
        let exposition = try PrometheusExposition.parse(good)
        #expect(exposition.family(of: "h_bucket") == "h")
        #expect(throws: PrometheusParseError.self) {
            try PrometheusExposition.parse(good.replacingOccurrences(of: "h_count 3", with: "h_count 4"))
        }
        #expect(throws: PrometheusParseError.self) {
            try PrometheusExposition.parse(good.replacingOccurrences(of: #"le="0.1"} 1"#, with: #"le="0.1"} 5"#))
        }
        #expect(throws: PrometheusParseError.self) {
            try PrometheusExposition.parse(good.replacingOccurrences(of: #"h_bucket{le="+Inf"} 3"#, with: ""))
        }
    }

    @Test(arguments: [
        "1metric 1",  // a name cannot start with a digit
        "m{a=\"x\"",  // label set not closed
        "m{a=x} 1",  // value not quoted
        "m{a=\"x\\q\"} 1",  // unknown escape
        "m{a=\"x\",a=\"y\"} 1",  // a label twice
        "m{1a=\"x\"} 1",  // bad label name
        "m{a=\"x\" b=\"y\"} 1",  // no comma
        "m",  // no value
        "m one",  // not a number
        "m 1 2 3",  // text after the timestamp
        "m 1 1.5",  // a timestamp is an integer
        "m{a=\"unterminated} 1",
        "# TYPE m countr",  // unknown type
        "# TYPE m counter\n# TYPE m gauge",  // second TYPE
        "m 1\n# TYPE m counter",  // TYPE after its samples
        "m 1\nm 2",  // duplicate series
        "# HELP m bad \\q escape",
        "# TYPE h histogram\nh_bucket 1",  // bucket without le
    ])
    func rejectsMalformedLines(_ text: String) {
        #expect(throws: PrometheusParseError.self) { try PrometheusExposition.parse(text) }
    }
}
