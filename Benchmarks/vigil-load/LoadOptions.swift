import Foundation

/// The command line of `vigil-load`.
struct LoadOptions: Sendable {
    static let usage = """
        usage: vigil-load --vigil PATH [--peer GUNICORN] [--postgres URL] [--phases P,P,…] [--summary FILE]
                          [--seconds N] [--repetitions N] [--warmup N] [--connections N] [--rates R,R,…]
                          [--replicas N,N,…] [--incidents N] [--repository DIR] [--seed N]

          --vigil PATH       the release `vigil` binary to run (required)
          --peer GUNICORN    gunicorn from a venv with Benchmarks/peer/requirements.txt: runs the
                             slack-bolt peer (Benchmarks/peer/app.py) for the `peer` phase
          --postgres URL     a PostgreSQL server (postgres://user@host:port) where the `replicas`
                             phase may create and drop databases, with `psql` on PATH
          --phases P,P,…     which phases to run (default: all; `peer` only with --peer):
                               rates   open loop, command mix, at each of --rates
                               mix     saturation, command mix
                               open    saturation, `open` only, against Vigil
                               peer    saturation, `open` only, against the slack-bolt peer
                               health  saturation, GET /healthz
                               fill    fill to --incidents with `open`, then read memory
                               report  after the fill, 1,000 req/s of the mix with and without
                                       `report 365d` looping alongside (fills first, even
                                       without `fill`)
                               replicas  saturation, `open` only, against each count of
                                       --replicas `vigil serve` processes sharing one fresh
                                       PostgreSQL database (only with --postgres)
          --summary FILE     also write the headline figures as markdown table rows to FILE
          --seconds N        measured length of each phase (default 4)
          --repetitions N    runs of each phase, and of the start-up measurement (default 3)
          --warmup N         unmeasured seconds before each phase (default 1)
          --connections N    keep-alive connections in the pool (default 64)
          --rates R,R,…      open-loop offered rates in requests/s (default 100,1000,5000)
          --replicas N,N,…   replica counts of the `replicas` phase (default 1,2)
          --incidents N      incidents the server holds when memory is read at the end (default 100000)
          --repository DIR   checkout whose commands/ and playbooks/ Vigil loads (default: this source's)
          --seed N           seed of every random choice (default 6)
        """

    var vigil = ""
    /// The peer's gunicorn, nil when the peer is not measured.
    var peer: String?
    /// The PostgreSQL server of the `replicas` phase, nil when it is not measured.
    var postgres: PostgresScratch?
    var phases = Set(PhaseGroup.allCases)
    var summary: String?
    var seconds = 4.0
    var repetitions = 3
    var warmup = 1.0
    var connections = 64
    var rates = [100, 1_000, 5_000]
    var replicas = [1, 2]
    var incidents = 100_000
    var repository: URL
    var seed: UInt64 = 6

    /// The checkout this file was compiled from: Benchmarks/vigil-load/<file> → the root.
    static var sourceRepository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Parses `arguments` (without the program name); throws a message for the user.
    static func parse(_ arguments: [String]) throws(LoadRunError) -> LoadOptions {
        var options = LoadOptions(repository: sourceRepository)
        var iterator = arguments.makeIterator()
        func value(_ name: String) throws(LoadRunError) -> String {
            guard let value = iterator.next() else { throw LoadRunError(description: "\(name) needs a value") }
            return value
        }
        func number<T: LosslessStringConvertible & Comparable & Numeric>(_ name: String, _ type: T.Type) throws(LoadRunError) -> T {
            let text = try value(name)
            guard let parsed = T(text.replacingOccurrences(of: "_", with: "")), parsed > 0 else {
                throw LoadRunError(description: "\(name) needs a positive number, not \"\(text)\"")
            }
            return parsed
        }
        var phasesNamed = false
        while let argument = iterator.next() {
            switch argument {
            case "--vigil": options.vigil = try value(argument)
            case "--peer": options.peer = try value(argument)
            case "--postgres": options.postgres = try PostgresScratch(try value(argument))
            case "--phases":
                let text = try value(argument)
                var phases = Set<PhaseGroup>()
                for name in text.split(separator: ",") {
                    let trimmed = name.trimmingCharacters(in: .whitespaces)
                    guard let phase = PhaseGroup(rawValue: trimmed) else {
                        let known = PhaseGroup.allCases.map(\.rawValue).joined(separator: ", ")
                        throw LoadRunError(description: "--phases: no phase \"\(trimmed)\"; the phases are \(known)")
                    }
                    phases.insert(phase)
                }
                guard !phases.isEmpty else { throw LoadRunError(description: "--phases needs at least one phase") }
                options.phases = phases
                phasesNamed = true
            case "--summary": options.summary = try value(argument)
            case "--seconds": options.seconds = try number(argument, Double.self)
            case "--repetitions": options.repetitions = try number(argument, Int.self)
            case "--warmup": options.warmup = try number(argument, Double.self)
            case "--connections": options.connections = try number(argument, Int.self)
            case "--incidents": options.incidents = try number(argument, Int.self)
            case "--seed": options.seed = try number(argument, UInt64.self)
            case "--repository": options.repository = URL(fileURLWithPath: try value(argument))
            case "--rates": options.rates = try positiveList(argument, value(argument))
            case "--replicas": options.replicas = try positiveList(argument, value(argument))
            case "-h", "--help": throw LoadRunError(description: "")
            default: throw LoadRunError(description: "unknown argument \"\(argument)\"")
            }
        }
        guard !options.vigil.isEmpty else { throw LoadRunError(description: "--vigil PATH is required") }
        guard FileManager.default.isExecutableFile(atPath: options.vigil) else {
            throw LoadRunError(description: "\(options.vigil) is not an executable file")
        }
        if let peer = options.peer {
            guard FileManager.default.isExecutableFile(atPath: peer) else {
                throw LoadRunError(description: "\(peer) is not an executable file")
            }
            let app = Self.peerApp.appendingPathComponent("app.py").path
            guard FileManager.default.fileExists(atPath: app) else { throw LoadRunError(description: "\(app) does not exist") }
        } else if options.phases.contains(.peer) {
            // Asked for by name, the peer cannot be skipped; by default it is left out (and said so).
            guard !phasesNamed else { throw LoadRunError(description: "the peer phase needs --peer GUNICORN") }
            options.phases.remove(.peer)
        }
        if options.postgres == nil, options.phases.contains(.replicas) {
            guard !phasesNamed else { throw LoadRunError(description: "the replicas phase needs --postgres URL") }
            options.phases.remove(.replicas)
        }
        for directory in ["commands", "playbooks"] {
            let path = options.repository.appendingPathComponent(directory).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw LoadRunError(description: "\(path) does not exist; point --repository at a Vigil checkout")
            }
        }
        return options
    }

    /// `1,2`: positive whole numbers separated by commas, every one of them.
    private static func positiveList(_ name: String, _ text: String) throws(LoadRunError) -> [Int] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !items.isEmpty, items.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw LoadRunError(description: "\(name) needs positive numbers separated by commas, not \"\(text)\"")
        }
        return items.compactMap { $0 }
    }

    /// The peer's app: Benchmarks/peer beside this source (not under --repository, which only
    /// says whose commands and playbooks Vigil loads).
    static var peerApp: URL { sourceRepository.appendingPathComponent("Benchmarks/peer") }
}

/// The phases `--phases` chooses among.
enum PhaseGroup: String, CaseIterable, Sendable {
    case rates, mix, open, peer, health, fill, report, replicas
}
