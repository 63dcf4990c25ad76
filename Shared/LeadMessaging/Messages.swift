import Foundation

/// A record to publish.
public struct OutgoingMessage: Sendable {
    /// The topic to publish to.
    public var topic: String
    /// The record key; records with equal keys go to the same partition (and stay in order).
    public var key: [UInt8]?
    /// The record value.
    public var value: [UInt8]
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// An explicit partition, or `nil` to let the partitioner choose by key hash.
    public var partition: Int32?

    /// Creates a record with a byte key.
    public init(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }

    /// Creates a record whose key is the UTF-8 encoding of `key`.
    public init(
        topic: String,
        key: String,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        partition: Int32? = nil
    ) {
        self.init(topic: topic, key: Array(key.utf8), value: value, headers: headers, partition: partition)
    }
}

/// Where the broker stored an acknowledged record.
public struct DeliveryReceipt: Sendable, Hashable {
    /// The topic the record was written to.
    public var topic: String
    /// The partition the record was written to.
    public var partition: Int32
    /// The record's offset in that partition.
    public var offset: Int64

    /// Creates a receipt.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

/// A record read by a ``KafkaConsumer``, copied out of librdkafka.
public struct ConsumedMessage: Sendable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset in that partition.
    public var offset: Int64
    /// The record key, if any.
    public var key: [UInt8]?
    /// The record value (empty for a tombstone).
    public var value: [UInt8]
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// The record timestamp, when the broker or producer set one.
    public var timestamp: Date?

    /// Creates a consumed message (mostly useful in tests of code that handles them).
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        timestamp: Date? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The string value of the first header called `key`.
    public func header(_ key: String) -> String? { headers.firstString(key) }

    /// The key decoded as UTF-8.
    public var keyString: String? {
        guard let key else { return nil }
        return String(bytes: key, encoding: .utf8)
    }

    /// The partition this message came from.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}
