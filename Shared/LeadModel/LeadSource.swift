/// How a lead entered Leadflow.
public enum IntakeChannel: String, Hashable, Sendable, Codable, CaseIterable {
    /// Generic JSON over HTTP.
    case json
    /// ADF/XML, the automotive lead format.
    case adf
    /// Meta Lead Ads webhook.
    case meta
    /// Google Ads lead-form webhook.
    case google
    /// CSV import.
    case csv
    /// Manual entry (phone, walk-in, referral).
    case manual
    /// Published directly to the `leads.inbound` topic.
    case topic
}

/// Where a lead came from, with its advertising attribution.
///
/// All ids are strings, always: Meta and Google ids exceed 2^53 and must never pass through a
/// floating-point number.
public struct LeadSource: Hashable, Sendable, Codable {
    /// The configured source's id (the API key's owner, the CSV import, the feed).
    public var id: String
    /// A display name for the source.
    public var name: String?
    /// The intake channel.
    public var channel: IntakeChannel
    /// The partner (ad network, marketplace) that delivered the lead.
    public var partner: String?
    /// Campaign id at the ad network.
    public var campaignId: String?
    /// Campaign name at the ad network.
    public var campaignName: String?
    /// Ad id at the ad network.
    public var adId: String?
    /// Lead-form id at the ad network.
    public var formId: String?

    /// Creates a source.
    public init(
        id: String, name: String? = nil, channel: IntakeChannel, partner: String? = nil,
        campaignId: String? = nil, campaignName: String? = nil, adId: String? = nil, formId: String? = nil
    ) {
        self.id = id
        self.name = name
        self.channel = channel
        self.partner = partner
        self.campaignId = campaignId
        self.campaignName = campaignName
        self.adId = adId
        self.formId = formId
    }
}
