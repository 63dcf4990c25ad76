import Foundation
import LeadModel
import Testing

@testable import LeadNotifier

@Suite("Notifier service definition and configuration")
struct DefinitionTests {
    @Test("names the service and its schema, consumes assigned, lifecycle, received and scored events, seeds every template")
    func definition() {
        let definition = NotifierService.definition
        #expect(definition.name == "notifier")
        #expect(definition.defaultHTTPPort == 8084)
        #expect(definition.consumedTopics == ["leads.assigned", "leads.lifecycle", "leads.received", "leads.scored"])
        let sql = NotifierMigrations.all(schema: "notifier").flatMap(\.statements).joined(separator: "\n")
        for key in TemplateKey.all {
            #expect(sql.contains("('\(key.kind.rawValue)', '\(key.channel.rawValue)'"), "\(key)")
        }
        for category in LeadCategory.allCases { #expect(sql.contains("('\(category.rawValue)', 0,")) }
    }

    @Test("defaults work with the embedded stack")
    func defaults() throws {
        let configuration = try NotifierConfiguration(environment: [:])
        #expect(configuration.publicIngestURL == "http://127.0.0.1:8081")
        #expect(configuration.smtp.host == "127.0.0.1" && configuration.smtp.port == 2525 && configuration.smtp.security == .startTLS)
        #expect(configuration.smtp.username == nil && configuration.sms == nil)
        #expect(configuration.mailFrom.address == "notifications@leadflow.localhost" && configuration.messageIDDomain == "leadflow.localhost")
        #expect(configuration.retry.maxAttempts == 8 && configuration.planner.defaultFollowUpDelay == .tomorrow)
        #expect(!configuration.planner.customerAcknowledgement)
    }

    @Test("settings are read, and malformed ones are refused naming the variable")
    func parsing() throws {
        let configuration = try NotifierConfiguration(environment: [
            "LEADFLOW_NOTIFIER_SMTP_SECURITY": "starttls_required", "LEADFLOW_NOTIFIER_SMTP_USERNAME": "mailer",
            "LEADFLOW_NOTIFIER_SMTP_PASSWORD": "pw", "LEADFLOW_NOTIFIER_SMS_URL": "https://sms.example.com/send",
            "LEADFLOW_NOTIFIER_SMS_TOKEN": "t", "LEADFLOW_NOTIFIER_DEFAULT_FOLLOW_UP": "5400",
            "LEADFLOW_NOTIFIER_MAIL_FROM": "Dealer Group <leads@dealer.example>", "LEADFLOW_NOTIFIER_CUSTOMER_ACK": "yes",
        ])
        #expect(configuration.smtp.security == .startTLSRequired && configuration.smtp.password == "pw")
        #expect(configuration.sms?.url == "https://sms.example.com/send" && configuration.sms?.token == "t")
        #expect(configuration.planner.defaultFollowUpDelay == .custom(seconds: 5400))
        #expect(configuration.mailFrom == MailAddress(address: "leads@dealer.example", name: "Dealer Group"))
        #expect(configuration.planner.customerAcknowledgement)
        for (variable, value) in [
            ("LEADFLOW_NOTIFIER_SMTP_SECURITY", "ssl3"), ("LEADFLOW_NOTIFIER_SMTP_PORT", "99999"),
            ("LEADFLOW_NOTIFIER_MAIL_FROM", "not an address"), ("LEADFLOW_NOTIFIER_SMS_URL", "ftp://x"),
            ("LEADFLOW_NOTIFIER_DEFAULT_FOLLOW_UP", "soon"), ("LEADFLOW_PUBLIC_INGEST_URL", "ingest"),
        ] {
            do {
                _ = try NotifierConfiguration(environment: [variable: value])
                Issue.record("\(variable)=\(value) was accepted")
            } catch {
                #expect("\(error)".contains(variable))
            }
        }
    }
}
