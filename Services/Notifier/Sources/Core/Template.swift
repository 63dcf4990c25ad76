import LeadModel
import Mustache

/// The editable content of one template: a Mustache text per part.
///
/// E-mail uses all three parts (subject, plain text, optional HTML); SMS and webhook use the
/// text only (for webhooks it becomes the payload's `message`).
public struct TemplateContent: Hashable, Sendable, Codable {
    /// The subject line (e-mail only).
    public var subject: String?
    /// The plain-text body.
    public var text: String
    /// The HTML body (e-mail only, optional).
    public var html: String?

    /// Creates template content.
    public init(subject: String? = nil, text: String, html: String? = nil) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Which template: one per notification kind and channel.
public struct TemplateKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What the notification is about.
    public var kind: NotificationKind
    /// E-mail, SMS or webhook.
    public var channel: NotificationChannel

    /// Creates a key.
    public init(kind: NotificationKind, channel: NotificationChannel) {
        self.kind = kind
        self.channel = channel
    }

    public var description: String { "\(kind.rawValue)/\(channel.rawValue)" }

    /// Every key: each kind on each channel.
    public static var all: [TemplateKey] {
        NotificationKind.allCases.flatMap { kind in NotificationChannel.allCases.map { TemplateKey(kind: kind, channel: $0) } }
    }
}

/// A message rendered from a template.
public struct RenderedMessage: Hashable, Sendable, Codable {
    /// The subject (e-mail), on one line.
    public var subject: String?
    /// The plain-text body.
    public var text: String
    /// The HTML body, if the template has one.
    public var html: String?

    /// Creates a rendered message.
    public init(subject: String?, text: String, html: String?) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Compiles and renders templates with swift-mustache. Subjects and text bodies render as text
/// (no escaping); HTML bodies escape every value, so lead data cannot inject markup.
public struct TemplateRenderer: Sendable {
    /// Largest part accepted, in UTF-8 bytes.
    public static let maxPartBytes = 64 << 10

    private let subject: MustacheTemplate?
    private let text: MustacheTemplate
    private let html: MustacheTemplate?

    /// Parses `content`.
    /// - Throws: ``ValidationFailure`` naming the part that does not parse or is too large.
    public init(_ content: TemplateContent) throws(ValidationFailure) {
        subject = try content.subject.map { template throws(ValidationFailure) in try Self.parse(template, field: "/subject", html: false) }
        text = try Self.parse(content.text, field: "/text", html: false)
        html = try content.html.map { template throws(ValidationFailure) in try Self.parse(template, field: "/html", html: true) }
    }

    private static func parse(_ source: String, field: String, html: Bool) throws(ValidationFailure) -> MustacheTemplate {
        guard source.utf8.count <= maxPartBytes else {
            throw ValidationFailure(field: field, rule: "length", message: "at most \(maxPartBytes) bytes")
        }
        do {
            return try MustacheTemplate(string: html ? source : "{{% CONTENT_TYPE: TEXT}}" + source)
        } catch {
            throw ValidationFailure(field: field, rule: "mustache", message: "not a valid Mustache template: \(error)")
        }
    }

    /// Renders the template for `model`.
    public func render(_ model: MessageModel) -> RenderedMessage {
        let values = model.mustacheValues()
        let renderedSubject = subject.map { template in
            template.render(values).split(whereSeparator: \.isNewline).joined(separator: " ")
                .trimmingCharacters(in: .whitespaces)
        }
        return RenderedMessage(subject: renderedSubject, text: text.render(values), html: html?.render(values))
    }
}
