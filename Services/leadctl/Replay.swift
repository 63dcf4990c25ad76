import ArgumentParser
import Foundation
import LeadMessaging
import LeadModel
import Logging

/// `leadctl replay`: moves a consumer group back (or forward) on a topic, so the service
/// re-reads from there. Safe because every service applies each event id once.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set a consumer group's offsets on a topic to a time or an offset.",
        discussion: """
        The group must have no members (stop or scale the service to zero first; the broker refuses \
        to move the offsets of an active group). Instances started with LEADFLOW_INSTANCE_ID are \
        static members that stay in the group until session.timeout.ms after they stop. Events already applied are \
        recognised by their ids and skipped, so replaying never doubles an effect; use it after \
        fixing a bug, or with a fresh group to rebuild a read model.

        Examples:
          leadctl replay --group leadflow-analytics --topic leads.received --from-time 2026-11-01T00:00:00Z
          leadctl replay --group leadflow-scoring --topic leads.lifecycle --from-offset 0
        """
    )

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "The consumer group.")
    var group: String

    @Option(help: "The topic (without the configured prefix).")
    var topic: String

    @Option(help: "RFC 3339 time: each partition restarts at its first message at or after it.")
    var fromTime: String?

    @Option(help: "An offset applied to every partition (0 = the beginning; clamped to each partition's range).")
    var fromOffset: Int64?

    func validate() throws {
        guard (fromTime == nil) != (fromOffset == nil) else {
            throw ValidationError("give exactly one of --from-time and --from-offset")
        }
        if let fromTime, LeadflowJSON.parseDate(fromTime) == nil {
            throw ValidationError("--from-time must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
        }
        if let fromOffset, fromOffset < 0 { throw ValidationError("--from-offset must be 0 or more") }
    }

    func run() async throws {
        let config = try cluster.configuration()
        let fullTopic = config.topic(topic)
        let admin = try KafkaAdmin(bootstrapServers: config.kafkaBrokers, logger: Logger(label: "leadctl"))
        defer { admin.shutdown() }
        let marks = try await admin.watermarks(topic: fullTopic)
        guard !marks.isEmpty else { throw ValidationError("topic \(fullTopic) does not exist") }
        var targets: [TopicPartition: Int64] = [:]
        if let fromTime, let date = LeadflowJSON.parseDate(fromTime) {
            targets = try await admin.offsets(topic: fullTopic, atOrAfter: Int64(date.timeIntervalSince1970 * 1000))
            for (partition, offset) in targets where offset < 0 {
                targets[partition] = marks[partition.partition]?.end ?? 0  // nothing that late: start at the end
            }
        } else if let fromOffset {
            for (partition, mark) in marks {
                targets[TopicPartition(topic: fullTopic, partition: partition)] = min(max(fromOffset, mark.start), mark.end)
            }
        }
        let before = try await admin.committedOffsets(group: group, partitions: Array(targets.keys))
        try await admin.alterCommittedOffsets(group: group, offsets: targets)
        for partition in targets.keys.sorted(by: { $0.partition < $1.partition }) {
            let old = before[partition].map(String.init) ?? "none"
            print("\(partition): \(old) -> \(targets[partition]!)")
        }
        print("group \(group) will re-read \(fullTopic) from there when it next starts")
    }
}
