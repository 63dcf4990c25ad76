import ArgumentParser
import LeadMessaging
import LeadServiceKit
import Logging

/// `leadctl lag`: how far each service's consumer group is behind, per partition.
struct Lag: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show consumer lag per service group and partition.",
        discussion: """
        Lag is the partition's end offset minus the group's committed offset. On the embedded Tansu \
        broker end offsets are understated (it reports the last batch's base offset + 1), so lag \
        reads low there; on Apache Kafka it is exact.
        """
    )

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Only this service (ingest, scoring, routing, notifier, analytics).")
    var service: String?

    @Option(help: "Consumer group name pattern; {service} is replaced (default: LEADFLOW_CONSUMER_GROUP or leadflow-{service}).")
    var group: String?

    @Flag(help: "Print every partition, not only the totals and partitions that lag.")
    var all = false

    func run() async throws {
        let config = try cluster.configuration()
        let services = try service.map { name -> [ServiceDescriptor] in
            guard let descriptor = ServiceCatalog.named(name) else { throw ValidationError("unknown service '\(name)'") }
            return [descriptor]
        } ?? ServiceCatalog.all
        let admin = try KafkaAdmin(bootstrapServers: config.kafkaBrokers, logger: Logger(label: "leadctl"))
        defer { admin.shutdown() }
        for descriptor in services {
            let groupName = groupName(for: descriptor, config: config)
            let lags = try await admin.lag(group: groupName, topics: descriptor.consumes.map { config.topic($0.name) })
            let total = lags.reduce(Int64(0)) { $0 + $1.lag }
            print("\(descriptor.name)  group \(groupName)  total lag \(total)")
            for lag in lags where all || lag.lag > 0 {
                let committed = lag.committed.map(String.init) ?? "none"
                print("    \(lag.partition)  committed \(committed)  end \(lag.end)  lag \(lag.lag)")
            }
        }
    }

    private func groupName(for descriptor: ServiceDescriptor, config: ServiceConfiguration) -> String {
        if let group { return group.replacingOccurrences(of: "{service}", with: descriptor.name) }
        if let configured = config.environment["LEADFLOW_CONSUMER_GROUP"], !configured.isEmpty {
            return configured.replacingOccurrences(of: "{service}", with: descriptor.name)
        }
        return descriptor.defaultConsumerGroup
    }
}
