import LeadModel

/// The templates a fresh installation starts with (seeded by the migration, then editable through
/// the admin API). Every kind has an e-mail (subject, text, HTML), an SMS and a webhook message.
public enum DefaultTemplates {
    /// The default content of `key`.
    public static func content(for key: TemplateKey) -> TemplateContent {
        switch key.channel {
        case .email: email(key.kind)
        case .sms: TemplateContent(text: sms(key.kind))
        case .webhook: TemplateContent(text: sms(key.kind))
        }
    }

    /// Every default template.
    public static var all: [(key: TemplateKey, content: TemplateContent)] {
        TemplateKey.all.map { ($0, content(for: $0)) }
    }

    private static let greeting = "Hi{{#recipient.firstName}} {{recipient.firstName}}{{/recipient.firstName}},\n\n"

    private static let leadDetails = """
        {{#lead.vehicle}}
        Preferred vehicle: {{lead.vehicle}}
        {{/lead.vehicle}}
        {{#lead.phone}}
        Phone: {{lead.phone}}
        {{/lead.phone}}
        {{#lead.email}}
        E-mail: {{lead.email}}
        {{/lead.email}}

        """

    private static let htmlLeadDetails = """
        <ul>
        {{#lead.vehicle}}<li>Preferred vehicle: <strong>{{lead.vehicle}}</strong></li>{{/lead.vehicle}}
        {{#lead.phone}}<li>Phone: {{lead.phone}}</li>{{/lead.phone}}
        {{#lead.email}}<li>E-mail: {{lead.email}}</li>{{/lead.email}}
        </ul>

        """

    private static let actionList = """
        {{#actions.hasAny}}

        One click is enough:
        {{#actions.acknowledge}}
        Acknowledge: {{actions.acknowledge}}
        {{/actions.acknowledge}}
        {{#actions.accept}}
        Accept: {{actions.accept}}
        {{/actions.accept}}
        {{#actions.reject}}
        Reject: {{actions.reject}}
        {{/actions.reject}}
        {{#actions.won}}
        Sold (won): {{actions.won}}
        {{/actions.won}}
        {{#actions.lost}}
        Lost: {{actions.lost}}
        {{/actions.lost}}
        {{#actions.complete}}
        Completed: {{actions.complete}}
        {{/actions.complete}}
        {{#actions.reportRevenue}}
        Report the revenue: {{actions.reportRevenue}}
        {{/actions.reportRevenue}}
        {{/actions.hasAny}}

        """

    private static let htmlActionList = """
        {{#actions.hasAny}}
        <p>
        {{#actions.acknowledge}}<a href="{{actions.acknowledge}}">Acknowledge</a> {{/actions.acknowledge}}
        {{#actions.accept}}<a href="{{actions.accept}}">Accept</a> {{/actions.accept}}
        {{#actions.reject}}<a href="{{actions.reject}}">Reject</a> {{/actions.reject}}
        {{#actions.won}}<a href="{{actions.won}}">Sold (won)</a> {{/actions.won}}
        {{#actions.lost}}<a href="{{actions.lost}}">Lost</a> {{/actions.lost}}
        {{#actions.complete}}<a href="{{actions.complete}}">Completed</a> {{/actions.complete}}
        {{#actions.reportRevenue}}<a href="{{actions.reportRevenue}}">Report the revenue</a> {{/actions.reportRevenue}}
        </p>
        {{/actions.hasAny}}

        """

    private static let footer = "\n--\nLeadflow · lead {{lead.id}}\n"
    private static let htmlFooter = "<p style=\"color:#888\">Leadflow · lead {{lead.id}}</p>\n"

    private static func email(_ kind: NotificationKind) -> TemplateContent {
        let (subject, opening) = emailParts(kind)
        let text = greeting + opening + "\n\n" + leadDetails + extraText(kind) + actionList + footer
        let html = "<p>" + greeting.replacingOccurrences(of: "\n\n", with: "</p>\n") + "<p>" + opening + "</p>\n"
            + htmlLeadDetails + extraHTML(kind) + htmlActionList + htmlFooter
        return TemplateContent(subject: subject, text: text, html: html)
    }

    private static func emailParts(_ kind: NotificationKind) -> (subject: String, opening: String) {
        switch kind {
        case .newLeadAssigned:
            ("New lead: {{lead.name}}{{#lead.vehicle}} – {{lead.vehicle}}{{/lead.vehicle}}",
             "{{lead.name}} was just assigned to you{{#location.id}} (location {{location.id}}){{/location.id}}. The sooner you reach out, the better your chances.{{#respondBy}} Please respond by {{respondBy}}.{{/respondBy}}")
        case .reminder:
            ("Reminder: follow up with {{lead.name}}",
             "Time to follow up with {{lead.name}}.{{#reminder.note}} Your note: {{reminder.note}}{{/reminder.note}}")
        case .taskDue:
            ("Task due: {{task.title}} – {{lead.name}}",
             "Your task \"{{task.title}}\" for {{lead.name}} is due {{task.due}}.")
        case .appointmentToday:
            ("Needs attention: {{lead.name}} has an appointment today",
             "{{lead.name}} has a {{appointment.kind}} today at {{appointment.time}}.")
        case .overdue:
            ("Overdue: {{lead.name}}",
             "{{lead.name}} is waiting for you.{{#respondBy}} A response was due by {{respondBy}}.{{/respondBy}}{{#task.title}} The task \"{{task.title}}\" was due {{task.due}}.{{/task.title}}")
        case .statusUpdateRequest:
            ("Status update needed: {{lead.name}}",
             "What is the status of {{lead.name}}{{#lead.vehicle}} ({{lead.vehicle}}){{/lead.vehicle}}? It is still marked {{lead.locationResponse}}. Please let us know with one click.")
        case .locationSurvey:
            ("How did it go with {{lead.name}}?",
             "{{lead.name}} is complete. Please tell us the revenue attributable to this lead.")
        case .customerReviewRequest:
            ("How was your experience?",
             "Thank you for your interest{{#lead.vehicle}} in the {{lead.vehicle}}{{/lead.vehicle}}. How would you rate the dealer that helped you?")
        case .customerAcknowledgement:
            ("We received your request",
             "Thank you for your request{{#lead.vehicle}} about the {{lead.vehicle}}{{/lead.vehicle}}. A member of our team will contact you shortly.")
        }
    }

    private static func extraText(_ kind: NotificationKind) -> String {
        guard kind == .customerReviewRequest else { return "" }
        return "{{#reviewLinks}}\n{{rating}} star(s): {{url}}\n{{/reviewLinks}}\n"
    }

    private static func extraHTML(_ kind: NotificationKind) -> String {
        guard kind == .customerReviewRequest else { return "" }
        return "<p>{{#reviewLinks}}<a href=\"{{url}}\">{{rating}}★</a> {{/reviewLinks}}</p>\n"
    }

    private static func sms(_ kind: NotificationKind) -> String {
        switch kind {
        case .newLeadAssigned:
            "New lead: {{lead.name}}{{#lead.vehicle}}, {{lead.vehicle}}{{/lead.vehicle}}{{#lead.phone}}. Call {{lead.phone}}{{/lead.phone}}{{#actions.accept}}. Accept: {{actions.accept}}{{/actions.accept}}"
        case .reminder:
            "Reminder: follow up with {{lead.name}}{{#reminder.note}} ({{reminder.note}}){{/reminder.note}}"
        case .taskDue:
            "Task due: {{task.title}} – {{lead.name}}"
        case .appointmentToday:
            "Today: {{appointment.kind}} with {{lead.name}} at {{appointment.time}}"
        case .overdue:
            "Overdue: {{lead.name}} is waiting for a response"
        case .statusUpdateRequest:
            "Status of {{lead.name}}?{{#actions.won}} Won: {{actions.won}}{{/actions.won}}{{#actions.lost}} Lost: {{actions.lost}}{{/actions.lost}}{{#actions.complete}} Complete: {{actions.complete}}{{/actions.complete}}"
        case .locationSurvey:
            "{{lead.name}} is complete. Revenue? {{actions.reportRevenue}}"
        case .customerReviewRequest:
            "How was your experience? Rate the dealer: {{actions.reviewLocation}}"
        case .customerAcknowledgement:
            "Thanks for your request{{#lead.vehicle}} about the {{lead.vehicle}}{{/lead.vehicle}}. We will contact you shortly."
        }
    }
}
