import Foundation
import Testing
import VigilTestSupport

/// The `vigil` executable built beside this test bundle, run as a user would run it.
enum VigilExecutable {
    static func url() throws -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vigil")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let debug = Fixtures.repositoryRoot.appendingPathComponent(".build/debug/vigil")
        try #require(FileManager.default.isExecutableFile(atPath: debug.path), "build the vigil executable first (swift build)")
        return debug
    }

    /// Runs `vigil arguments…` in `directory` to completion; returns the exit status and output.
    /// The wait runs on a dispatch thread: blocking the cooperative pool for a child's whole run
    /// would stall every other test in the process (and their timeouts with them).
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        try await ProgramRun.capture(
            try url().path, arguments, environment: environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine },
            directory: directory.path)
    }

    /// Starts `vigil serve --config <config>` in `directory`, its output to `output` and its
    /// errors to `errors` (or `/dev/null`); it inherits the tests' environment.
    static func serve(config: URL, in directory: URL, output: URL, errors: URL? = nil) throws -> ChildProcess {
        try ChildProcess.start(
            try url().path, ["serve", "--config", config.path], environment: ProcessInfo.processInfo.environment, directory: directory.path,
            output: .file(output.path), errors: errors.map { .file($0.path) } ?? .null)
    }
}
