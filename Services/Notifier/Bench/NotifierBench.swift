import ArgumentParser
import AsyncHTTPClient
import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import Logging
import NIOCore

/// Load generator for `scripts/bench-notifier`: publishes `leads.assigned` events at a fixed rate
/// and measures, per event, the time until the SMTP server (the sink) had the assignee's e-mail.
@main
struct NotifierBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifier-bench",
        abstract: "Time from a leads.assigned event published to the e-mail handed to SMTP.")

    @Option(help: "The notifier's base URL.") var url: String
    @Option(help: "Kafka bootstrap servers.") var brokers: String = "127.0.0.1:19092"
    @Option(help: "Topic prefix the notifier runs with.") var prefix: String
    @Option(help: "Folder the SMTP sink writes into.") var mailDir: String
    @Option(help: "Events to publish (after the warm-up).") var events: Int = 2000
    @Option(help: "Events per second.") var rate: Double = 100
    @Option(help: "Warm-up events (not measured).") var warmup: Int = 50

    struct Mail: Decodable {
        let receivedAt: Double
        let headers: [String: String]
    }

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let token = try await TokenAuthority(configuration: AuthConfiguration(), logger: logger)
            .issue(for: Principal(id: "bench-admin", role: .platformAdmin))
        var put = HTTPClientRequest(url: "\(url)/v1/recipients/member-bench")
        put.method = .PUT
        put.headers.add(name: "Authorization", value: "Bearer \(token)")
        put.headers.add(name: "Content-Type", value: "application/json")
        put.body = .bytes(ByteBuffer(string: #"{"kind":"member","name":"Bench Seller","email":"bench@example.com"}"#))
        let response = try await HTTPClient.shared.execute(put, timeout: .seconds(10))
        guard (200..<300).contains(response.status.code) else { throw ValidationError("PUT recipient: \(response.status)") }

        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: brokers), logger: logger)
        let encoder = EventEncoder(source: "/leadflow/bench", topicPrefix: prefix)

        print("warm-up: \(warmup) events (consumer group join, connections)")
        let warm = try await publish(count: warmup, rate: rate, producer: producer, encoder: encoder)
        _ = try await waitForMails(Set(warm.keys), timeout: 120)

        print("measuring: \(events) events at \(Int(rate))/s")
        let started = Date()
        let published = try await publish(count: events, rate: rate, producer: producer, encoder: encoder)
        let publishDone = Date()
        let mails = try await waitForMails(Set(published.keys), timeout: max(120, Double(events) / rate * 4))
        let finished = mails.values.max() ?? Date().timeIntervalSince1970
        await producer.shutdown()

        let latencies = published.compactMap { lead, sentAt in mails[lead].map { ($0 - sentAt) * 1000 } }.sorted()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)] }
        let publishSeconds = publishDone.timeIntervalSince(started)
        let total = finished - started.timeIntervalSince1970
        print(String(format: "published %d events in %.1f s (%.0f/s offered); %d e-mails handed to SMTP in %.1f s (%.0f/s)",
                     events, publishSeconds, Double(events) / publishSeconds, latencies.count, total, Double(latencies.count) / total))
        print(String(format: "latency published → SMTP: p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  mean %.1f ms",
                     percentile(0.50), percentile(0.90), percentile(0.99), latencies.last ?? 0,
                     latencies.reduce(0, +) / Double(max(latencies.count, 1))))
    }

    /// Publishes `count` assigned events, paced to `rate`; returns each lead's publish time (unix seconds).
    func publish(count: Int, rate: Double, producer: KafkaProducer, encoder: EventEncoder) async throws -> [String: Double] {
        var published: [String: Double] = [:]
        let tick = 0.01
        let start = Date()
        var sent = 0
        while sent < count {
            let due = min(count, Int((Date().timeIntervalSince(start) / 1 + tick) * rate))
            if due > sent {
                var batch: [OutgoingMessage] = []
                for _ in sent..<due {
                    let now = Date()
                    let lead = Lead(
                        fullName: PersonName(full: "Bench Customer"), source: LeadSource(id: "bench", channel: .json),
                        ownerId: "member-bench",
                        vehiclesOfInterest: [VehicleOfInterest(year: 2024, make: "Toyota", model: "RAV4", isPreferred: true)],
                        createdAt: now)
                    let event = LeadAssigned(leadId: lead.id, occurredAt: now, ownerId: "member-bench", strategy: .roundRobin,
                                             reason: "bench", causationEventId: UUID(), lead: lead)
                    let record = try encoder.record(event)
                    batch.append(OutgoingMessage(
                        topic: record.topic, key: record.key.map { Array($0.utf8) }, value: record.payload,
                        headers: record.headers.map { KafkaHeader(key: $0.key, string: $0.value) }))
                    published[lead.id.description] = now.timeIntervalSince1970
                }
                _ = try await producer.send(batch)
                sent = due
            }
            try await Task.sleep(for: .milliseconds(Int(tick * 1000)))
        }
        return published
    }

    /// Waits until the sink holds an e-mail for each lead; returns when each arrived (unix seconds).
    func waitForMails(_ leads: Set<String>, timeout: Double) async throws -> [String: Double] {
        let deadline = Date().addingTimeInterval(timeout)
        var arrived: [String: Double] = [:]
        var seen: Set<String> = []
        while Date() < deadline {
            let names = try FileManager.default.contentsOfDirectory(atPath: mailDir).filter { $0.hasSuffix(".json") && !seen.contains($0) }
            for name in names {
                guard let data = FileManager.default.contents(atPath: mailDir + "/" + name),
                      let mail = try? JSONDecoder().decode(Mail.self, from: data) else { continue }
                seen.insert(name)
                if let lead = mail.headers["x-leadflow-lead"], leads.contains(lead) { arrived[lead] = mail.receivedAt }
            }
            if arrived.count == leads.count { return arrived }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("only \(arrived.count) of \(leads.count) e-mails arrived within \(Int(timeout)) s")
    }
}
