import ArgumentParser
import LeadMessaging
import LeadModel
import LeadServiceKit
import Logging

/// `leadctl topics create|describe`.
struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or describe Leadflow's topics.",
        subcommands: [Create.self, Describe.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create every Leadflow topic that is missing.")

        @OptionGroup var cluster: ClusterOptions

        @Option(help: "Partitions per topic (default: LEADFLOW_TOPIC_PARTITIONS or 12).")
        var partitions: Int32?

        @Option(help: "Replication factor (-1 = broker default).")
        var replicationFactor: Int16?

        func run() async throws {
            let config = try cluster.configuration()
            let admin = try KafkaAdmin(bootstrapServers: config.kafkaBrokers, logger: Logger(label: "leadctl"))
            defer { admin.shutdown() }
            let specs = Topic.allLeadflowTopics.map {
                TopicSpec(name: config.topic($0.name), partitions: partitions ?? config.topicPartitions,
                          replicationFactor: replicationFactor ?? config.topicReplication)
            }
            let created = Set(try await admin.createTopics(specs))
            for spec in specs {
                print("\(spec.name): \(created.contains(spec.name) ? "created (\(spec.partitions) partitions)" : "exists")")
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each Leadflow topic and its partition count.")

        @OptionGroup var cluster: ClusterOptions

        func run() async throws {
            let config = try cluster.configuration()
            let admin = try KafkaAdmin(bootstrapServers: config.kafkaBrokers, logger: Logger(label: "leadctl"))
            defer { admin.shutdown() }
            let existing = try await admin.listTopics()
            for topic in Topic.allLeadflowTopics {
                let name = config.topic(topic.name)
                print("\(name): \(existing[name].map { "\($0) partitions" } ?? "missing")")
            }
        }
    }
}

/// `leadctl version`: the versions this build runs with.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the librdkafka version leadctl runs with.")

    func run() {
        print("librdkafka \(Kafka.librdkafkaVersion)")
    }
}
