import Foundation

extension Lead {
    /// The lead after `change` happened at `time`: the one rule every service uses to keep its
    /// copy of a lead in step with `leads.lifecycle`, so their snapshots never disagree.
    ///
    /// Changes are facts validated by ingest; this function does not re-validate transitions.
    /// Changes that do not alter the record (notes, tasks, appointments, surveys) still move
    /// ``lastActivityAt`` forward. Out-of-order times never move it back.
    public func applying(_ change: LifecycleChange, at time: Date) -> Lead {
        var lead = self
        lead.apply(change, at: time)
        return lead
    }

    /// Applies `change` in place; see ``applying(_:at:)``.
    public mutating func apply(_ change: LifecycleChange, at time: Date) {
        if time > lastActivityAt { lastActivityAt = time }
        switch change {
        case .stageChanged(_, let to):
            lifecycleStage = to
        case .pipelineStatusChanged(let pipelineId, _, let to, _, _):
            self.pipelineId = pipelineId
            pipelineStatus = to
        case .locationResponseChanged(let locationId, _, let to, _, _):
            self.locationId = locationId
            locationResponse = to
        case .vehicleAdded(let vehicle):
            if vehicle.isPreferred {
                for index in vehiclesOfInterest.indices { vehiclesOfInterest[index].isPreferred = false }
            }
            vehiclesOfInterest.append(vehicle)
        case .tradeInAdded(let tradeIn):
            tradeIns.append(tradeIn)
        case .collaboratorsChanged(let added, let removed):
            let removedSet = Set(removed)
            collaborators.removeAll { removedSet.contains($0) }
            for id in added where !collaborators.contains(id) { collaborators.append(id) }
        case .manuallyAssigned(let ownerId, let locationId, _):
            self.ownerId = ownerId
            if let locationId { self.locationId = locationId }
        case .erased:
            erasePersonalData()
        case .duplicateInquiry(let inquiry):
            absorb(inquiry.lead)
        case .merged(_, let details?):
            adoptRecord(of: details.survivor)
        case .unmerged(_, let details?):
            adoptRecord(of: details.survivor)
        case .noteAdded, .activityLogged, .taskCreated, .taskCompleted, .appointmentScheduled,
             .appointmentOutcome, .converted, .surveyAnswered, .merged, .unmerged:
            break
        }
    }

    /// Removes everything that identifies the person (GDPR erasure) and keeps the anonymous
    /// facts analytics counts: source, location, owner, stages, vehicles' make/model/type, dates.
    public mutating func erasePersonalData() {
        fullName = PersonName()
        contacts = ContactInfo(
            address: contacts.address.map { Address(region: $0.region, country: $0.country) })
        comments = nil
        customFields = [:]
        consent = nil
        for index in vehiclesOfInterest.indices {
            vehiclesOfInterest[index].vin = nil
            vehiclesOfInterest[index].comments = nil
        }
        for index in tradeIns.indices {
            tradeIns[index].vin = nil
            tradeIns[index].comments = nil
        }
    }

    /// Takes over what a repeat submission adds: contact points, vehicles and trade-ins not yet
    /// known, a later stage, and fields this record lacks.
    public mutating func absorb(_ other: Lead) {
        for email in other.contacts.emails
        where !contacts.emails.contains(where: { $0.address.lowercased() == email.address.lowercased() }) {
            contacts.emails.append(EmailAddress(address: email.address, type: email.type))
        }
        for phone in other.contacts.phones
        where !contacts.phones.contains(where: { ($0.e164 ?? $0.raw) == (phone.e164 ?? phone.raw) }) {
            contacts.phones.append(PhoneNumber(raw: phone.raw, e164: phone.e164, type: phone.type))
        }
        if contacts.address == nil { contacts.address = other.contacts.address }
        if fullName.isEmpty { fullName = other.fullName }
        for vehicle in other.vehiclesOfInterest where !vehiclesOfInterest.contains(where: { $0.sameVehicle(as: vehicle) }) {
            var added = vehicle
            added.isPreferred = false
            vehiclesOfInterest.append(added)
        }
        for tradeIn in other.tradeIns where !tradeIns.contains(tradeIn) { tradeIns.append(tradeIn) }
        if budget == nil { budget = other.budget }
        if timeframe == nil || timeframe?.bucket == .unknown, let newer = other.timeframe { timeframe = newer }
        if other.lifecycleStage > lifecycleStage { lifecycleStage = other.lifecycleStage }
        for (key, value) in other.customFields where customFields[key] == nil { customFields[key] = value }
    }
}

extension VehicleOfInterest {
    /// Whether two records describe the same vehicle: the same VIN or stock number, else the
    /// same year, make, model and trim (case-insensitive).
    public func sameVehicle(as other: VehicleOfInterest) -> Bool {
        if let vin, let otherVin = other.vin { return vin.uppercased() == otherVin.uppercased() }
        if let stock, let otherStock = other.stock { return stock == otherStock }
        return year == other.year
            && make?.lowercased() == other.make?.lowercased()
            && model?.lowercased() == other.model?.lowercased()
            && trim?.lowercased() == other.trim?.lowercased()
    }
}
