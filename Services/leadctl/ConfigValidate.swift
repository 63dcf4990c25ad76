import ArgumentParser
import Foundation
import LeadMessaging
import LeadServiceKit
import LeadStorage
import Logging
import PostgresNIO

/// `leadctl config validate`: checks the environment every service would start with.
struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check Leadflow configuration.",
        subcommands: [Validate.self]
    )

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the environment of each service and print the effective settings (secrets hidden).",
            discussion: "Exits non-zero when any service would refuse to start. --check-connections also reaches the broker and the database."
        )

        @Option(help: "Only this service.")
        var service: String?

        @Flag(help: "Also connect to the broker and the database.")
        var checkConnections = false

        func run() async throws {
            let names = service.map { [$0] } ?? ServiceCatalog.all.map(\.name)
            var failures = 0
            for name in names {
                guard let descriptor = ServiceCatalog.named(name) else { throw ValidationError("unknown service '\(name)'") }
                do {
                    let config = try ServiceConfiguration(serviceName: name, defaultHTTPPort: descriptor.defaultHTTPPort)
                    print("\(name): ok")
                    print("    http \(config.httpHost):\(config.httpPort)  brokers \(config.kafkaBrokers)  group \(config.consumerGroup)")
                    print("    database \(config.database.username)@\(config.database.host):\(config.database.port)/\(config.database.database) (password hidden)")
                    print("    topics prefix '\(config.topicPrefix)' partitions \(config.topicPartitions)  log \(config.logLevel) \(config.jsonLogs ? "json" : "text")")
                    print("    tokens: \(config.auth.hmacSecrets.count) HS256 key(s) \(config.auth.hmacSecrets.map(\.kid)), jwks \(config.auth.jwksFile ?? "none"), iss \(config.auth.issuer), aud \(config.auth.audience)")
                    if config.auth.usesDevelopmentSecret { print("    warning: the built-in development secrets are in use") }
                } catch {
                    failures += 1
                    print("\(name): INVALID: \(error)")
                }
            }
            if checkConnections {
                let config = try ServiceConfiguration(serviceName: "leadctl", defaultHTTPPort: 0)
                failures += await check("broker \(config.kafkaBrokers)") {
                    let admin = try KafkaAdmin(bootstrapServers: config.kafkaBrokers, logger: Logger(label: "leadctl"))
                    defer { admin.shutdown() }
                    _ = try await admin.listTopics()
                }
                failures += await check("database \(config.database.host):\(config.database.port)") {
                    let logger = Logger(label: "leadctl")
                    let client = config.database.makeClient(logger: logger)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { await client.run() }
                        defer { group.cancelAll() }
                        try await client.waitUntilReachable(timeout: .seconds(10), logger: logger)
                    }
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }

        private func check(_ what: String, _ body: @escaping @Sendable () async throws -> Void) async -> Int {
            do {
                try await withTimeout(.seconds(15)) { try await body() }
                print("\(what): reachable")
                return 0
            } catch {
                print("\(what): NOT reachable: \(error)")
                return 1
            }
        }
    }
}
