import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeadTestSupport
import Synchronization

/// A service executable started as a child process, with its output captured.
/// Tests that need a real process (SIGTERM, kill -9, two instances in one group) start it with
/// ``launch(service:database:topicPrefix:extraEnvironment:)``.
public final class ServiceProcess: Sendable {
    /// The HTTP port it listens on.
    public let port: Int
    private let process: Process
    private let output = Mutex(Data())

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts `leadflow-<service>` on a free port, against `database` and topics under `topicPrefix`.
    public static func launch(
        service: String, database: String, topicPrefix: String, extraEnvironment: [String: String] = [:]
    ) throws -> ServiceProcess {
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.binDirectory + "/leadflow-\(service)")
        var environment = ProcessInfo.processInfo.environment
        environment["LEADFLOW_HTTP_PORT"] = "\(port)"
        environment["LEADFLOW_PG_DATABASE"] = database
        environment["LEADFLOW_TOPIC_PREFIX"] = topicPrefix
        environment["LEADFLOW_TOPIC_PARTITIONS"] = "3"
        environment["LEADFLOW_CONSUMER_GROUP"] = topicPrefix + service
        environment["LEADFLOW_KAFKA_SESSION_TIMEOUT_MS"] = "6000"
        environment["LEADFLOW_KAFKA_MAX_POLL_INTERVAL_MS"] = "10000"
        environment.merge(extraEnvironment) { _, new in new }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let child = ServiceProcess(process: process, port: port)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil } else { child.output.withLock { $0.append(chunk) } }
        }
        try process.run()
        return child
    }

    /// Everything the process printed so far.
    public var log: String { output.withLock { String(decoding: $0, as: UTF8.self) } }

    /// The librdkafka version the process logged at start.
    public var librdkafkaVersion: String? {
        guard let range = log.range(of: #""librdkafka":"([0-9.]+)""#, options: .regularExpression) else { return nil }
        return log[range].split(separator: ":").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    }

    /// A GET against the process's HTTP port.
    public func get(_ path: String) async throws -> (status: Int, body: String) {
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Sends SIGTERM and waits for the exit status.
    public func terminate(timeout: Duration) async throws -> Int32 {
        process.terminate()
        return try await waitForExit(timeout: timeout)
    }

    /// Waits for the process to exit; throws if it is still running after `timeout`.
    public func waitForExit(timeout: Duration) async throws -> Int32 {
        let exited = await eventually(timeout: timeout, every: .milliseconds(100)) { !self.process.isRunning }
        guard exited else { throw ProcessTimeout() }
        return process.terminationStatus
    }

    /// SIGKILL, for cleanup after a failed test.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// The process did not exit in time.
    public struct ProcessTimeout: Error {}

    /// An unused TCP port on the loopback interface.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw ProcessTimeout() }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
