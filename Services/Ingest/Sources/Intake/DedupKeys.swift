import LeadModel

/// The identities that make two submissions "the same person": each normalized e-mail address
/// and each E.164 phone number. Test leads only ever match test leads.
public enum DedupKeys {
    /// A key and what kind of identity it is.
    public struct Key: Sendable, Hashable {
        public var value: String
        public var match: DuplicateInquiry.Match
    }

    /// The contact keys of `lead`, e-mails first.
    public static func contactKeys(of lead: Lead) -> [Key] {
        let prefix = lead.isTest ? "test:" : ""
        var keys: [Key] = []
        for email in lead.contacts.emails {
            keys.append(Key(value: "\(prefix)email:\(email.address.lowercased())", match: .email))
        }
        for phone in lead.contacts.phones {
            if let e164 = phone.e164 { keys.append(Key(value: "\(prefix)phone:\(e164)", match: .phone)) }
        }
        var seen = Set<String>()
        return keys.filter { seen.insert($0.value).inserted }
    }

    /// The lock name of a source-native id (re-deliveries of one id serialize on it).
    public static func sourceLockKey(sourceId: String, sourceLeadId: String) -> String {
        "source:\(sourceId)\u{1F}\(sourceLeadId)"
    }

    /// Which existing lead a submission merges into: the lead its first matching key points to
    /// (e-mails before phones), with every kind of identity that matched that lead.
    public static func choose(_ keys: [Key], matches: [String: LeadID]) -> (LeadID, [DuplicateInquiry.Match])? {
        guard let first = keys.first(where: { matches[$0.value] != nil }), let leadId = matches[first.value] else { return nil }
        var kinds: [DuplicateInquiry.Match] = []
        for key in keys where matches[key.value] == leadId && !kinds.contains(key.match) { kinds.append(key.match) }
        return (leadId, kinds)
    }
}
