import Foundation

/// Runs a command to completion (polling, never blocking a cooperative thread) and returns its
/// exit status and output.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120)
    async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let collected = OutputCollector()
    pipe.fileHandleForReading.readabilityHandler = { handle in
        let chunk = handle.availableData
        if chunk.isEmpty { handle.readabilityHandler = nil } else { collected.append(chunk) }
    }
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
        if Date() > deadline {
            process.terminate()
            throw Chromium.Failure(description: "\(path) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    pipe.fileHandleForReading.readabilityHandler = nil
    collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
    return (process.terminationStatus, collected.text)
}
