import ArgumentParser
import Foundation
import LeadServiceKit
import Logging

/// `leadflow-proof`: the measuring and attacking half of `scripts/bench` and `scripts/hostile`.
///
/// The scripts start the services (scripts/lib-cluster.sh); this tool drives them and reports
/// what it saw as JSON or a table. Configuration comes from the usual `LEADFLOW_*` environment
/// (brokers, topic prefix, database, JWT keys), exactly like the services read it.
@main
struct Proof: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leadflow-proof",
        abstract: "Benchmark and hostile-input tools for the Leadflow proof scripts.",
        subcommands: [BrokerCeiling.self, LifecycleLoad.self, Hostile.self])
}

/// The environment's configuration, read the way every service reads it.
func proofConfiguration() throws -> ServiceConfiguration {
    try ServiceConfiguration(serviceName: "leadflow-proof", defaultHTTPPort: 0)
}

/// A logger that only speaks up for errors (the tools print their own results).
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .error
    return logger
}

/// Seconds of a duration as a `Double`.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Prints a JSON object (sorted keys) on one line.
func printJSON(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    print(String(decoding: data, as: UTF8.self))
}

/// A command-line failure with a message.
struct ProofError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
