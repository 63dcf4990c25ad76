import CRdKafka

/// Facts about the Kafka client library itself.
public enum Kafka {
    /// The version of librdkafka loaded at run time (for example `2.8.0`).
    public static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }
}

/// One partition of one topic.
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number, from 0.
    public var partition: Int32

    /// Creates a topic–partition pair.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}
