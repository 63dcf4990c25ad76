import Foundation
import Metrics

/// Turns librdkafka's statistics into the gauge `leadflow_consumer_lag{group,topic,partition}`:
/// messages between the partition's end and this group's committed offset, for the partitions
/// this member consumes. (On Tansu the end offset is understated, so lag reads low there.)
enum ConsumerLagGauges {
    private struct Statistics: Decodable {
        struct TopicStats: Decodable {
            let partitions: [String: PartitionStats]
        }
        struct PartitionStats: Decodable {
            let consumer_lag: Int64?
            let fetch_state: String?
        }
        let topics: [String: TopicStats]?
    }

    /// Records the lag of every assigned partition found in a statistics JSON document.
    static func record(statistics json: [UInt8], group: String) {
        guard let statistics = try? JSONDecoder().decode(Statistics.self, from: Data(json)) else { return }
        for (topic, stats) in statistics.topics ?? [:] {
            for (partition, partitionStats) in stats.partitions where partition != "-1" {
                guard let lag = partitionStats.consumer_lag, lag >= 0, partitionStats.fetch_state == "active" else { continue }
                Gauge(label: "leadflow_consumer_lag", dimensions: [("group", group), ("topic", topic), ("partition", partition)])
                    .record(lag)
            }
        }
    }
}
