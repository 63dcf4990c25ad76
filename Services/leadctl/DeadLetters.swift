import ArgumentParser
import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import Logging

/// `leadctl dlq list|show|requeue`: inspect `leads.deadletter` and re-publish a dead letter to
/// its source topic once the cause is fixed.
struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect and requeue dead letters.",
        subcommands: [List.self, Show.self, Requeue.self]
    )

    /// A dead letter as read from the topic, named by its position (`partition:offset`).
    struct Entry {
        let id: String
        let letter: DeadLetter

        static func readAll(_ config: ServiceConfiguration) async throws -> [Entry] {
            let messages = try await TopicReader.readAll(topic: config.topic(Topic.deadLetter.name), brokers: config.kafkaBrokers)
            return messages.compactMap { message in
                guard case .deadLetter(let letter)? = try? IncomingEvent(message).event else { return nil }
                return Entry(id: "\(message.partition):\(message.offset)", letter: letter)
            }
        }

        static func find(_ id: String, in config: ServiceConfiguration) async throws -> Entry {
            guard let entry = try await readAll(config).first(where: { $0.id == id }) else {
                throw ValidationError("no dead letter \(id) (ids are partition:offset, see 'leadctl dlq list')")
            }
            return entry
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, oldest first.")

        @OptionGroup var cluster: ClusterOptions

        @Option(help: "Only this error code.")
        var code: String?

        @Option(help: "Only this stage (ingest, scoring, routing, notifier, analytics).")
        var stage: String?

        func run() async throws {
            let entries = try await Entry.readAll(try cluster.configuration()).filter {
                (code == nil || $0.letter.errorCode == code) && (stage == nil || $0.letter.stage.rawValue == stage)
            }
            print("ID\tFAILED AT\tSTAGE\tCODE\tFROM\tREASON")
            for entry in entries {
                let letter = entry.letter
                let from = "\(letter.originalTopic)\(letter.originalPartition.map { "[\($0)]" } ?? "")\(letter.originalOffset.map { "@\($0)" } ?? "")"
                print("\(entry.id)\t\(LeadflowJSON.formatDate(letter.failedAt))\t\(letter.stage.rawValue)\t\(letter.errorCode)\t\(from)\t\(letter.reason.prefix(100))")
            }
            print("\(entries.count) dead letter(s)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one dead letter with its original message.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The dead letter's id (partition:offset).")
        var id: String

        func run() async throws {
            let letter = try await Entry.find(id, in: try cluster.configuration()).letter
            let encoder = LeadflowJSON.encoder
            encoder.outputFormatting.insert(.prettyPrinted)
            print(String(decoding: try encoder.encode(letter), as: UTF8.self))
            if let value = letter.originalValue {
                print("--- original value (\(value.count) bytes) ---")
                print(String(validating: value, as: UTF8.self) ?? "(binary; base64 above)")
            }
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-publish dead letters to the topic they came from.",
            discussion: """
            The original key, value and headers are published again (plus a leadflow_requeued_from \
            header), so the consuming service processes the message as if it arrived anew. Events the \
            service already applied are skipped by their ids, so requeueing twice does no harm. \
            Dead letters of HTTP requests (originalTopic http) cannot be requeued: the client was told.
            """
        )

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "Ids (partition:offset) of the dead letters to requeue.")
        var ids: [String] = []

        @Option(help: "Requeue every dead letter with this error code instead of naming ids.")
        var code: String?

        func validate() throws {
            guard !ids.isEmpty || code != nil else { throw ValidationError("name dead letter ids or --code") }
        }

        func run() async throws {
            let config = try cluster.configuration()
            let entries = try await Entry.readAll(config).filter { ids.contains($0.id) || (code != nil && $0.letter.errorCode == code) }
            let missing = Set(ids).subtracting(entries.map(\.id))
            guard missing.isEmpty else { throw ValidationError("no dead letter(s) \(missing.sorted().joined(separator: ", "))") }
            let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: config.kafkaBrokers),
                                             logger: Logger(label: "leadctl"))
            var requeued = 0
            for entry in entries {
                let letter = entry.letter
                guard letter.originalTopic != "http", let value = letter.originalValue else {
                    print("\(entry.id): skipped (\(letter.originalTopic == "http" ? "an HTTP request" : "corrupt original"))")
                    continue
                }
                var headers = letter.originalHeaders.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, string: $0.value) }
                headers.append(KafkaHeader(key: "leadflow_requeued_from", string: entry.id))
                let receipt = try await producer.send(OutgoingMessage(
                    topic: letter.originalTopic, key: letter.originalKey.map { Array($0.utf8) }, value: value, headers: headers))
                print("\(entry.id): requeued to \(receipt.topic)[\(receipt.partition)]@\(receipt.offset)")
                requeued += 1
            }
            await producer.shutdown()
            print("\(requeued) requeued")
        }
    }
}
