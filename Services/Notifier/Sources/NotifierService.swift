import AsyncHTTPClient
import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit
import LeadStorage
import NIOCore
import NIOPosix

/// The notifier service: speed-to-lead alerts and follow-up automation; consumes `leads.assigned`
/// and `leads.lifecycle` (and `leads.received` / `leads.scored` for outbound subscriptions),
/// publishes `notifications.outcomes` and delivers subscriptions' webhooks (see docs/notifier.md).
public enum NotifierService {
    /// The service's name, schema and HTTP port.
    public static let name = "notifier"

    /// Everything `LeadflowRuntime` needs to run the service, on the system clock.
    public static let definition = makeDefinition(clock: systemClock)

    /// The definition with an injected clock (tests move it to fire reminders and requests).
    /// `random` drives the jitter of subscription retries.
    public static func makeDefinition(clock: @escaping NotifierClock, random: @escaping RandomSource = systemRandom) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            defaultHTTPPort: 8084,
            migrations: NotifierMigrations.all(schema: name),
            consumedTopics: [Topic.assigned.name, Topic.lifecycle.name, Topic.received.name, Topic.scored.name],
            makeParts: { context in try makeParts(context, clock: clock, random: random) }
        )
    }

    static func makeParts(_ context: ServiceContext, clock: @escaping NotifierClock, random: @escaping RandomSource) throws -> ServiceParts {
        let configuration = try NotifierConfiguration(environment: context.configuration.environment)
        let core = NotifierCore(context: context, configuration: configuration, clock: clock)
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.redirectConfiguration = .disallow
        httpConfiguration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5))
        let http = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: httpConfiguration)
        var senders: [NotificationChannel: any ChannelSender] = [
            .email: EmailSender(
                client: try SMTPClient(configuration: configuration.smtp), from: configuration.mailFrom,
                messageIDDomain: configuration.messageIDDomain, clock: clock),
            .webhook: WebhookSender(http: http, timeout: configuration.webhookTimeout, clock: clock),
        ]
        if let sms = configuration.sms { senders[.sms] = SMSSender(http: http, configuration: sms) }
        let subscriptions = SubscriptionCore(
            context: context, notifier: configuration,
            configuration: try SubscriptionConfiguration(environment: context.configuration.environment), clock: clock, random: random)
        let dispatcher = Dispatcher(core: core, senders: senders) { try? await http.shutdown() }
        return ServiceParts(
            routes: { router in
                TemplateRoutes(core: core).add(to: router)
                RecipientRoutes(core: core).add(to: router)
                LeadRoutes(core: core).add(to: router)
                AdminRoutes(core: core).add(to: router)
                SubscriptionRoutes(core: subscriptions).add(to: router)
            },
            eventHandler: NotifierEventHandler(core: core, subscriptions: subscriptions),
            services: [Scheduler(core: core), dispatcher, SubscriptionWorker(core: subscriptions, http: http)]
        )
    }
}
