import Foundation

/// What the lead agreed to be contacted about; `nil` fields mean "not asked".
public struct Consent: Hashable, Sendable, Codable {
    /// May we e-mail about this inquiry.
    public var email: Bool?
    /// May we text about this inquiry.
    public var sms: Bool?
    /// May we call about this inquiry.
    public var phone: Bool?
    /// Opted in to marketing.
    public var marketing: Bool?
    /// When consent was given or recorded.
    public var recordedAt: Date?

    /// Creates a consent record.
    public init(email: Bool? = nil, sms: Bool? = nil, phone: Bool? = nil, marketing: Bool? = nil, recordedAt: Date? = nil) {
        self.email = email
        self.sms = sms
        self.phone = phone
        self.marketing = marketing
        self.recordedAt = recordedAt
    }
}
