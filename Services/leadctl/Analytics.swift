import ArgumentParser
import Foundation
import LeadAnalytics
import LeadModel
import LeadServiceKit
import Logging
import Synchronization

/// `leadctl analytics rebuild`.
struct AnalyticsCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Operate the analytics service's read models.",
        subcommands: [Rebuild.self]
    )

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay every analytics topic from the earliest offset into fresh tables, then swap them in.",
            discussion: """
                Runs in this process against the database (LEADFLOW_PG_*) and the broker; the analytics service \
                may keep running: it pauses for the swap only. Prints progress, then the projection's new counts.
                """
        )

        @OptionGroup var cluster: ClusterOptions

        @Option(help: "Seconds without new messages after which the topics count as replayed.")
        var idleSeconds: Int = 3

        @Option(help: "Give up after this many seconds.")
        var timeoutSeconds: Int = 3600

        @Flag(help: "Keep the replaced tables (schema analytics_projection_old_<time>) instead of dropping them.")
        var keepOld = false

        @Flag(help: "Print the outcome as JSON.")
        var json = false

        func run() async throws {
            let config = try cluster.configuration()
            var logger = Logger(label: "leadctl")
            logger.logLevel = .warning
            let base = ProcessInfo.processInfo.environment["LEADFLOW_CONSUMER_GROUP"].flatMap { $0.isEmpty ? nil : $0 }
                ?? "leadflow-analytics"
            let group = "\(base)-rebuild-\(Int(Date().timeIntervalSince1970))"
            let client = config.database.makeClient(logger: logger)
            let outcome = try await withThrowingTaskGroup(of: ProjectionRebuilder.Outcome?.self) { tasks in
                tasks.addTask { await client.run(); return nil }
                try await client.waitUntilReachable(timeout: config.database.connectTimeout, logger: logger)
                let rebuilder = ProjectionRebuilder(
                    client: client, brokers: config.kafkaBrokers, topicPrefix: config.topicPrefix, consumerGroup: group,
                    idleTime: .seconds(idleSeconds), timeout: .seconds(timeoutSeconds), keepOldSchema: keepOld, logger: logger)
                let last = LastPrinted()
                let outcome = try await rebuilder.run { progress in
                    guard !json, last.due() else { return }
                    print("replaying: \(progress.consumed) messages (\(progress.applied) applied, \(progress.duplicates) duplicates, "
                          + "\(progress.rejected) rejected, \(progress.failed) failed), partitions \(progress.assignedPartitions)/\(progress.expectedPartitions)")
                }
                tasks.cancelAll()
                return outcome
            }
            if json {
                print(String(decoding: try LeadflowJSON.encode(outcome), as: UTF8.self))
            } else {
                print("rebuilt \(outcome.schema): \(outcome.leads) leads, \(outcome.events) events from \(outcome.progress.consumed) messages "
                      + "(\(outcome.progress.rejected) rejected, \(outcome.progress.failed) failed) in \(String(format: "%.1f", outcome.seconds)) s, swap attempts \(outcome.swapAttempts)")
            }
        }
    }
}

/// Rate-limits progress lines to one every two seconds.
final class LastPrinted: Sendable {
    private let last = Mutex(Date.distantPast)

    func due() -> Bool {
        last.withLock { last in
            guard Date().timeIntervalSince(last) >= 2 else { return false }
            last = Date()
            return true
        }
    }
}
