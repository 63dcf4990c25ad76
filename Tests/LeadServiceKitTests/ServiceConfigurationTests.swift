import LeadServiceKit
import Logging
import Testing

@Suite("Service configuration from the environment")
struct ServiceConfigurationTests {
    @Test("an empty environment gives the embedded stack's defaults")
    func defaults() throws {
        let config = try ServiceConfiguration(serviceName: "scoring", defaultHTTPPort: 8082, environment: [:])
        #expect(config.httpHost == "127.0.0.1")
        #expect(config.httpPort == 8082)
        #expect(config.httpIdleTimeoutSeconds == 30)
        #expect(config.kafkaBrokers == "127.0.0.1:19092")
        #expect(config.database.port == 54329)
        #expect(config.database.database == "leadflow")
        #expect(config.consumerGroup == "leadflow-scoring")
        #expect(config.topicPartitions == 12)
        #expect(config.logLevel == .info)
        #expect(config.jsonLogs)
        #expect(config.topic("leads.scored") == "leads.scored")
    }

    @Test("variables override the defaults")
    func overrides() throws {
        let config = try ServiceConfiguration(serviceName: "routing", defaultHTTPPort: 8083, environment: [
            "LEADFLOW_HTTP_PORT": "9999",
            "LEADFLOW_KAFKA_BROKERS": "kafka-1:9092,kafka-2:9092",
            "LEADFLOW_TOPIC_PREFIX": "staging.",
            "LEADFLOW_TOPIC_PARTITIONS": "24",
            "LEADFLOW_CONSUMER_GROUP": "routing-blue",
            "LEADFLOW_PG_HOST": "db.internal",
            "LEADFLOW_PG_POOL_SIZE": "50",
            "LEADFLOW_LOG_LEVEL": "DEBUG",
            "LEADFLOW_LOG_FORMAT": "text",
        ])
        #expect(config.httpPort == 9999)
        #expect(config.kafkaBrokers == "kafka-1:9092,kafka-2:9092")
        #expect(config.topic("leads.assigned") == "staging.leads.assigned")
        #expect(config.topicPartitions == 24)
        #expect(config.consumerGroup == "routing-blue")
        #expect(config.database.host == "db.internal")
        #expect(config.database.maximumConnections == 50)
        #expect(config.logLevel == .debug)
        #expect(!config.jsonLogs)
    }

    @Test("malformed values are refused with the variable's name", arguments: [
        ("LEADFLOW_HTTP_PORT", "eighty"),
        ("LEADFLOW_HTTP_PORT", "70000"),
        ("LEADFLOW_TOPIC_PARTITIONS", "0"),
        ("LEADFLOW_PG_PORT", "-1"),
        ("LEADFLOW_LOG_LEVEL", "loud"),
        ("LEADFLOW_LOG_FORMAT", "xml"),
        ("LEADFLOW_HTTP_IDLE_TIMEOUT_SECONDS", "0"),
        ("LEADFLOW_HTTP_IDLE_TIMEOUT_SECONDS", "soon"),
    ])
    func malformed(variable: String, value: String) {
        #expect {
            try ServiceConfiguration(serviceName: "ingest", defaultHTTPPort: 8081, environment: [variable: value])
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    @Test("booleans accept the usual spellings")
    func booleans() throws {
        let reader = EnvironmentReader(["A": "yes", "B": "0", "C": "maybe"])
        #expect(try reader.bool("A", default: false))
        #expect(try !reader.bool("B", default: true))
        #expect(try reader.bool("missing", default: true))
        #expect(throws: ConfigurationError.self) { try reader.bool("C", default: false) }
    }
}
