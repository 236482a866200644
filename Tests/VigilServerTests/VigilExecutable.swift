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
        let executable = try url()
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(executable, arguments, in: directory, environment: environment) })
            }
        }
    }

    private static func runBlocking(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a full pipe cannot stall the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
