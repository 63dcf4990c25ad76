import Foundation
import LeadTestSupport

/// Runs the built `leadctl` as an operator would, against the test broker and database.
public enum Leadctl {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        /// Exit status.
        public let status: Int32
        /// Standard output and standard error, interleaved.
        public let output: String
    }

    /// Runs `leadctl arguments…` with `environment` on top of the process environment.
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.binDirectory + "/leadctl")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("leadctl-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let finished = await eventually(timeout: timeout, every: .milliseconds(50)) { !process.isRunning }
        if !finished { process.terminate() }
        process.waitUntilExit()
        try handle.close()
        return Result(status: process.terminationStatus, output: (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
