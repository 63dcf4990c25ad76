import Foundation
import LeadModel

/// A field whose value conflicts between leads being merged; the operator picks the lead whose
/// value wins (`fieldChoices`). Without a choice the survivor's value wins, and a value the
/// survivor lacks is taken from the first merged lead that has one.
public enum MergeField: String, CaseIterable, Sendable, Hashable, Codable {
    case name, email, phone, address, budget, timeframe, comments, partner
}

/// One merged lead as ingest remembers it: what an unmerge needs to restore it and to take its
/// contributions out of the survivor again.
public struct MergeRecord: Sendable, Hashable {
    /// The merged lead exactly as it was at the merge.
    public var snapshot: Lead
    /// The survivor right before this lead was merged into it.
    public var survivorBefore: Lead
    /// The survivor right after.
    public var survivorAfter: Lead

    public init(snapshot: Lead, survivorBefore: Lead, survivorAfter: Lead) {
        self.snapshot = snapshot
        self.survivorBefore = survivorBefore
        self.survivorAfter = survivorAfter
    }
}

/// The pure rules of merging and unmerging leads.
public enum MergePlanner {
    /// The survivor after merging `merged` into it, in order, with `choices` applied.
    ///
    /// Lists are united (e-mails, phones, vehicles, trade-ins, collaborators, custom fields the
    /// survivor lacks); scalar fields keep the survivor's value unless chosen otherwise or missing;
    /// the lifecycle stage is the furthest one; owner, location, statuses and times stay the survivor's.
    public static func merge(survivor: Lead, merged: [Lead], choices: [MergeField: LeadID]) -> Lead {
        var result = survivor
        for lead in merged {
            result.absorb(lead)
            for id in lead.collaborators where !result.collaborators.contains(id) { result.collaborators.append(id) }
            if result.comments == nil { result.comments = lead.comments }
            if result.partner == nil { result.partner = lead.partner }
            if result.consent == nil { result.consent = lead.consent }
            if lead.lastActivityAt > result.lastActivityAt { result.lastActivityAt = lead.lastActivityAt }
        }
        let byId = Dictionary(([survivor] + merged).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for field in MergeField.allCases {
            guard let chosenId = choices[field], let chosen = byId[chosenId] else { continue }
            switch field {
            case .name: result.fullName = chosen.fullName
            case .address: result.contacts.address = chosen.contacts.address
            case .budget: result.budget = chosen.budget
            case .timeframe: result.timeframe = chosen.timeframe
            case .comments: result.comments = chosen.comments
            case .partner: result.partner = chosen.partner
            case .email:
                if let primary = chosen.contacts.primaryEmail {
                    result.contacts.emails = prefer(primary, in: result.contacts.emails) { $0.address.lowercased() == primary.address.lowercased() }
                    for index in result.contacts.emails.indices { result.contacts.emails[index].preferred = index == 0 ? true : nil }
                }
            case .phone:
                if let primary = chosen.contacts.primaryPhone {
                    result.contacts.phones = prefer(primary, in: result.contacts.phones) { samePhone($0, primary) }
                    for index in result.contacts.phones.indices { result.contacts.phones[index].preferred = index == 0 ? true : nil }
                }
            }
        }
        return result
    }

    /// The survivor after taking out what `record`'s merge brought in: contact points, vehicles,
    /// trade-ins, collaborators and custom fields that came with the merged lead go, and fields
    /// the merge changed go back to their earlier value — unless they were changed again since.
    public static func unmerge(current: Lead, record: MergeRecord) -> Lead {
        let before = record.survivorBefore, after = record.survivorAfter
        var result = current
        let addedEmails = Set(after.contacts.emails.map { $0.address.lowercased() })
            .subtracting(before.contacts.emails.map { $0.address.lowercased() })
        result.contacts.emails.removeAll { addedEmails.contains($0.address.lowercased()) }
        let addedPhones = after.contacts.phones.filter { phone in !before.contacts.phones.contains { samePhone($0, phone) } }
        result.contacts.phones.removeAll { phone in addedPhones.contains { samePhone($0, phone) } }
        let addedVehicles = after.vehiclesOfInterest.filter { vehicle in !before.vehiclesOfInterest.contains { $0.sameVehicle(as: vehicle) } }
        result.vehiclesOfInterest.removeAll { vehicle in addedVehicles.contains { $0.sameVehicle(as: vehicle) } }
        let addedTradeIns = after.tradeIns.filter { !before.tradeIns.contains($0) }
        result.tradeIns.removeAll { addedTradeIns.contains($0) }
        let addedCollaborators = Set(after.collaborators).subtracting(before.collaborators)
        result.collaborators.removeAll { addedCollaborators.contains($0) }
        for (key, value) in after.customFields where before.customFields[key] == nil && result.customFields[key] == value {
            result.customFields[key] = nil
        }
        func revert<Value: Equatable>(_ path: WritableKeyPath<Lead, Value>) {
            if result[keyPath: path] == after[keyPath: path], after[keyPath: path] != before[keyPath: path] {
                result[keyPath: path] = before[keyPath: path]
            }
        }
        revert(\.fullName)
        revert(\.contacts.address)
        revert(\.budget)
        revert(\.timeframe)
        revert(\.comments)
        revert(\.partner)
        revert(\.consent)
        // Primary e-mail and phone: the survivor's own order and preference again, if all its own are still there.
        let sameEmail: (EmailAddress, EmailAddress) -> Bool = { $0.address.lowercased() == $1.address.lowercased() }
        if before.contacts.emails.allSatisfy({ own in result.contacts.emails.contains { sameEmail($0, own) } }) {
            result.contacts.emails = before.contacts.emails
                + result.contacts.emails.filter { email in !before.contacts.emails.contains { sameEmail($0, email) } }
        }
        if before.contacts.phones.allSatisfy({ own in result.contacts.phones.contains { samePhone($0, own) } }) {
            result.contacts.phones = before.contacts.phones
                + result.contacts.phones.filter { phone in !before.contacts.phones.contains { samePhone($0, phone) } }
        }
        if result.vehiclesOfInterest.filter(\.isPreferred).isEmpty,
           let preferred = before.vehiclesOfInterest.first(where: \.isPreferred),
           let index = result.vehiclesOfInterest.firstIndex(where: { $0.sameVehicle(as: preferred) }) {
            result.vehiclesOfInterest[index].isPreferred = true
        }
        return result
    }

    static func samePhone(_ a: PhoneNumber, _ b: PhoneNumber) -> Bool { (a.e164 ?? a.raw) == (b.e164 ?? b.raw) }

    static func prefer<T>(_ element: T, in list: [T], matches: (T) -> Bool) -> [T] {
        guard let index = list.firstIndex(where: matches) else { return [element] + list }
        var list = list
        let found = list.remove(at: index)
        return [found] + list
    }
}
