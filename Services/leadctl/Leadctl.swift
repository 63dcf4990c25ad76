import ArgumentParser
import LeadServiceKit

/// `leadctl`: Leadflow's operator command line.
@main
struct Leadctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leadctl",
        abstract: "Operate a Leadflow installation.",
        subcommands: [
            Topics.self, Lag.self, DeadLetters.self, Replay.self, Config.self, Token.self,
            Import.self, Loadgen.self, Seed.self, AnalyticsCommands.self, Audit.self, Version.self,
        ]
    )
}

/// Options every command that talks to the cluster shares; defaults come from the environment.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (default: LEADFLOW_KAFKA_BROKERS or 127.0.0.1:19092).")
    var brokers: String?

    @Option(help: "Prefix on every topic name (default: LEADFLOW_TOPIC_PREFIX).")
    var topicPrefix: String?

    /// The effective configuration: the environment's, with the command-line options on top.
    func configuration() throws -> ServiceConfiguration {
        var config = try ServiceConfiguration(serviceName: "leadctl", defaultHTTPPort: 0)
        if let brokers { config.kafkaBrokers = brokers }
        if let topicPrefix { config.topicPrefix = topicPrefix }
        return config
    }
}
