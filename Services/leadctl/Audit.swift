import ArgumentParser
import Foundation
import LeadMessaging
import LeadModel
import LeadServiceKit
import Logging
import PostgresNIO

/// `leadctl audit`: checks a run's exactly-once effects across PostgreSQL, the topics and
/// (optionally) the SMTP sink's folder, and exits non-zero on any loss or duplicate.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit exactly-once effects: every lead received, scored, assigned, notified and projected once.",
        discussion: """
            Reads every service's schema in the database of LEADFLOW_PG_DATABASE and the topics under \
            LEADFLOW_TOPIC_PREFIX (from the beginning, in a throwaway group), then prints expected / found / \
            lost / duplicated / unexpected per stage. Run it once the pipeline has drained. With --mail-dir \
            (a folder of .eml files, as scripts/mailbox.py writes them) it also counts SMTP messages by their \
            X-Leadflow-Notification-Key header. Exit status 1 when anything was lost, doubled or unexpected.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Submissions the sender saw accepted (leadctl loadgen's count); checks none was lost at intake.")
    var accepted: Int?

    @Option(help: "Folder of .eml files received by the SMTP sink.")
    var mailDir: String?

    @Flag(help: "Count SMTP copies that carry the same Message-ID (a notifier killed between the server's acceptance and its own record) as duplicates too.")
    var strictSmtp = false

    @Option(help: "Seconds without new messages that end the read of a topic.")
    var idle: Int = 3

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        let config = try cluster.configuration()
        let started = ContinuousClock.now
        var evidence = AuditEvidence()
        try await readTopics(config, into: &evidence)
        try await readDatabase(config, into: &evidence)
        if let mailDir { evidence.mail = try Self.readMail(mailDir) }
        let report = AuditInvariants.check(evidence, acceptedIntakes: accepted, strictSMTP: strictSmtp)
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.render(report, database: config.database.database, prefix: config.topicPrefix, seconds: seconds))
        }
        if !report.passed { throw ExitCode(1) }
    }

    // MARK: Reading

    private func readTopics(_ config: ServiceConfiguration, into evidence: inout AuditEvidence) async throws {
        let topics: [Topic] = [.inbound, .received, .lifecycle, .scored, .assigned, .notificationOutcomes, .deadLetter]
        let brokers = config.kafkaBrokers
        let idle = Duration.seconds(idle)
        let read = try await withThrowingTaskGroup(of: (Topic, [ConsumedMessage]).self) { group in
            for topic in topics {
                let name = config.topic(topic.name)
                group.addTask { (topic, try await TopicReader.readAll(topic: name, brokers: brokers, idle: idle, timeout: .seconds(600))) }
            }
            var all: [Topic: [ConsumedMessage]] = [:]
            for try await (topic, messages) in group { all[topic] = messages }
            return all
        }
        for (topic, messages) in read {
            if topic == .inbound {
                evidence.inboundMessages = messages.count
                continue
            }
            var copies = 0
            for message in messages {
                guard let incoming = try? IncomingEvent(message) else { evidence.unreadable += 1; continue }
                let id = incoming.eventId
                switch incoming.event {
                case .received(let event): if evidence.received[id] == nil { evidence.received[id] = event } else { copies += 1 }
                case .lifecycle(let event): if evidence.lifecycle[id] == nil { evidence.lifecycle[id] = event } else { copies += 1 }
                case .scored(let event): if evidence.scored[id] == nil { evidence.scored[id] = event } else { copies += 1 }
                case .assigned(let event): if evidence.assigned[id] == nil { evidence.assigned[id] = event } else { copies += 1 }
                case .notification(let event): if evidence.outcomes[id] == nil { evidence.outcomes[id] = event } else { copies += 1 }
                case .deadLetter(let letter): evidence.deadLetters.append(letter)
                case .metrics: break
                }
            }
            evidence.topicCopies[topic.name] = copies
        }
    }

    private func readDatabase(_ config: ServiceConfiguration, into e: inout AuditEvidence) async throws {
        var logger = Logger(label: "leadctl.audit")
        logger.logLevel = .error
        let client = config.database.makeClient(logger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        try await client.waitUntilReachable(timeout: .seconds(30), logger: logger)

        e.ingestLeads = Set(try await Self.rows(client, "SELECT id FROM ingest.leads", as: UUID.self))
        e.intakesRecorded = try await Self.rows(client, "SELECT count(*)::int FROM ingest.source_lead_ids", as: Int.self).first ?? 0
        e.inboundProcessed = try await Self.rows(
            client, "SELECT count(*)::int FROM ingest.processed_events WHERE consumer = 'ingest.inbound'", as: Int.self).first ?? 0
        for (consumer, schema) in [("ingest.assigned", "ingest"), ("scoring", "scoring"), ("routing", "routing"), ("notifier", "notifier"), ("analytics", "analytics_projection")] {
            e.processed[consumer] = Set(try await Self.rows(
                client, "SELECT event_id FROM \(schema).processed_events WHERE consumer = '\(consumer)'", as: UUID.self))
        }
        e.scoreChanges = Set(try await Self.rows(client, "SELECT event_id FROM scoring.score_changes", as: UUID.self))
        for (lead, score) in try await Self.rows(client, "SELECT lead_id, score FROM scoring.leads WHERE known", as: (UUID, Int?).self) {
            e.scoringScores[lead] = score
        }
        e.assignmentRows = Set(try await Self.rows(client, "SELECT event_id FROM routing.assignments", as: UUID.self))
        for (lead, owner) in try await Self.rows(client, "SELECT lead_id, owner_id FROM routing.leads WHERE owner_id IS NOT NULL", as: (UUID, String).self) {
            e.routingOwners[lead] = owner
        }
        e.deliveries = try await Self.rows(
            client, "SELECT notification_key, lead_id, kind, recipient_id, channel, state FROM notifier.deliveries",
            as: (String, UUID, String, String, String, String).self
        ).map { AuditEvidence.Delivery(key: $0.0, leadId: $0.1, kind: $0.2, recipientId: $0.3, channel: $0.4, state: $0.5) }
        for (id, location) in try await Self.rows(
            client, "SELECT id, location_id FROM notifier.recipients WHERE kind = 'location_contact' AND active AND location_id IS NOT NULL",
            as: (String, String).self) {
            e.locationContacts[location, default: []].append(id)
        }
        for (id, location) in try await Self.rows(
            client, """
                SELECT id, location_id FROM notifier.recipients
                WHERE kind = 'webhook' AND active AND (cardinality(purposes) = 0 OR 'new_lead_assigned' = ANY (purposes))
                """,
            as: (String, String?).self) {
            e.newLeadSubscribers.updateValue(location, forKey: id)  // (a nil location is kept: "all locations")
        }
        for (lead, score, owner) in try await Self.rows(
            client, "SELECT lead_id, score, owner_id FROM analytics_projection.leads WHERE known", as: (UUID, Int?, String?).self) {
            e.projection[lead] = AuditEvidence.ProjectedLead(score: score, ownerId: owner)
        }
    }

    private static func rows<T: PostgresDecodable & Sendable>(_ client: PostgresClient, _ sql: String, as: T.Type) async throws -> [T] {
        var result: [T] = []
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(T.self) { result.append(value) }
        return result
    }

    private static func rows<each T: PostgresDecodable & Sendable>(_ client: PostgresClient, _ sql: String, as: (repeat each T).Type) async throws -> [(repeat each T)] {
        var result: [(repeat each T)] = []
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode((repeat each T).self) { result.append(value) }
        return result
    }

    /// Notification key → the Message-ID of each message that carried it.
    static func readMail(_ folder: String) throws -> [String: [String]] {
        var mail: [String: [String]] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".eml") }
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(file))
            let head = data.prefix(16 << 10)
            var key: String?
            var messageId = ""
            for line in String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false) {
                if line.isEmpty { break }
                let lower = line.lowercased()
                if lower.hasPrefix("x-leadflow-notification-key:") {
                    key = line.dropFirst("x-leadflow-notification-key:".count).trimmingCharacters(in: .whitespaces)
                } else if lower.hasPrefix("message-id:") {
                    messageId = line.dropFirst("message-id:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            mail[key ?? "(no key) \(file)", default: []].append(messageId)
        }
        return mail
    }

    // MARK: Printing

    static func render(_ report: AuditReport, database: String, prefix: String, seconds: Double) -> String {
        var out = ["Exactly-once audit of database \(database), topics \(prefix)* (read in \(Int(seconds)) s)", ""]
        let header = ["STAGE", "CHECK", "EXPECTED", "FOUND", "LOST", "DUPLICATED", "UNEXPECTED", ""]
        let rows = report.lines.map { line in
            [line.stage, line.check, "\(line.expected)", "\(line.found)", "\(line.lost)", "\(line.duplicated)", "\(line.unexpected)",
             (line.passed ? "ok" : "FAIL") + (line.note.isEmpty ? "" : "  (\(line.note))")]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            out.append(row.indices.map { column in
                let cell = row[column]
                let pad = String(repeating: " ", count: max(0, widths[column] - cell.count))
                return (2...6).contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        out.append("")
        let copies = report.topicCopies.filter { $0.value > 0 }
        if !copies.isEmpty {
            out.append("re-published copies on topics (same event id, dropped by consumers): "
                + copies.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !report.deadLetters.isEmpty {
            out.append("dead letters: " + report.deadLetters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if report.smtpResends > 0 {
            out.append("SMTP: \(report.smtpResends) message(s) received twice — a notifier died after the mail server accepted them and "
                + "before it recorded that; the copy carries the same Message-ID, so receivers drop it (the one at-least-once boundary)")
        }
        for example in report.examples { out.append("  e.g. \(example)") }
        out.append(report.passed
            ? "AUDIT PASSED: 0 lost, 0 duplicated, 0 unexpected"
            : "AUDIT FAILED: \(report.lost) lost, \(report.duplicated) duplicated, \(report.unexpected) unexpected")
        return out.joined(separator: "\n")
    }
}
