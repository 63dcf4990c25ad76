import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadServiceKit
import LeadTestSupport
import Testing

@testable import LeadNotifier

extension NotifierServiceTests {
    @Suite("Scheduled work at injected times")
    struct Schedules {
        /// A member whose reminder on `lead` fires at `due`: once its e-mail arrived, the scheduler
        /// has processed everything due up to then, so the test can check what did not fire.
        struct Barrier {
            let stack: NotifierStack
            let member: String
            let email: String

            static func make(_ stack: NotifierStack) async throws -> Barrier {
                let s = uniqueSuffix()
                let barrier = Barrier(stack: stack, member: "member-barrier-\(s)", email: "barrier.\(s)@example.com")
                try await stack.putRecipient(barrier.member, #"{"kind":"member","name":"Barry","email":"\#(barrier.email)"}"#)
                return barrier
            }

            /// Sets a reminder on `lead` due after `seconds` on the notifier's clock.
            func arm(lead: LeadID, after seconds: Int) async throws {
                let response = try await stack.api(
                    "POST", "/v1/leads/\(lead)/reminders", token: stack.adminToken,
                    body: #"{"delay":{"kind":"custom","seconds":\#(seconds)},"recipientId":"\#(member)","note":"barrier"}"#)
                try #require(response.status == 201, "\(response.status) \(response.text)")
            }

            /// Waits until `count` barrier reminders arrived.
            func passed(_ count: Int) async throws {
                let arrived = await stack.sink.wait { $0.filter { $0.rcptTos == [email] }.count >= count }
                try #require(arrived.filter { $0.rcptTos == [email] }.count == count, "the barrier reminder did not fire")
            }
        }

        @Test("status-update requests go out at the delay the contact chose, repeat, and stop once the lead advances; complete sends the surveys")
        func statusUpdateRequests() async throws {
            let stack = try NotifierStack.shared
            let s = uniqueSuffix()
            let (owner, contact, location) = ("member-\(s)", "contact-\(s)", "loc-\(s)")
            let contactEmail = "dealer.\(s)@dealer.example", customerEmail = "cust.\(s)@example.com"
            try await stack.putRecipient(contact, #"{"kind":"location_contact","name":"Dana Dealer","email":"\#(contactEmail)","locationId":"\#(location)","timeZone":"America/New_York"}"#)
            let barrier = try await Barrier.make(stack)
            let start = stack.clock.now
            let lead = Events.lead(email: customerEmail, owner: owner, location: location, at: start)
            let accepted = Events.lifecycle(lead.id, .locationResponseChanged(
                locationId: location, from: .unacknowledged, to: .accepted, note: nil, followUpDelay: .oneHour), at: start)
            try await stack.publishAndWait([Events.assigned(lead, at: start), accepted])
            #expect(try await stack.count("""
                SELECT count(*)::int FROM notifier.jobs WHERE lead_id = '\(lead.id)' AND kind = 'status_update_request'
                  AND state = 'scheduled' AND abs(extract(epoch FROM due_at) - \(start.timeIntervalSince1970 + 3600)) < 0.001
                """) == 1)
            @Sendable func requests() -> [ReceivedMail] { stack.sink.messages(to: contactEmail).filter { $0.subject.hasPrefix("Status update needed") } }

            // Just before the hour: nothing (the barrier proves the scheduler got there).
            try await barrier.arm(lead: lead.id, after: 3540)
            stack.advance(by: 3550)
            try await barrier.passed(1)
            #expect(requests().isEmpty)

            // After the hour: the request, with "won" and "lost" one-click links for this lead.
            stack.advance(by: 60)
            _ = await stack.sink.wait { _ in !requests().isEmpty }
            let jobs = try await stack.rows("SELECT json_agg(j) FROM notifier.jobs j WHERE lead_id = '\(lead.id)'")
            let first = try #require(requests().first, "no status-update request; clock \(stack.clock.now), jobs: \(jobs)")
            #expect(first.subject == "Status update needed: Jürgen Groß")
            #expect(first.plain.contains("Hi Dana,") && first.plain.contains("still marked accepted"))
            let actions = try first.actionURLs.map { try NotifierStack.claims(of: $0, now: stack.clock.now) }
            #expect(Set(actions.map(\.action)) == [.won, .lost])
            #expect(actions.allSatisfy { $0.leadId == lead.id && $0.actor == Actor(id: contact, role: .locationContact) })

            // Still accepted an hour later: asked again (a new notification, so a new Message-ID).
            stack.advance(by: 3600)
            _ = await stack.sink.wait { _ in requests().count == 2 }
            #expect(requests().count == 2)
            #expect(Set(requests().map(\.messageId)).count == 2)

            // Won: the accepted requests stop, the won ones ask for completion at the same (remembered) delay.
            let won = Events.lifecycle(lead.id, .locationResponseChanged(locationId: location, from: .accepted, to: .won, note: nil,
                                                                         followUpDelay: nil), at: stack.clock.now)
            try await stack.publishAndWait([won])
            try await barrier.arm(lead: lead.id, after: 3540)
            stack.advance(by: 3550)
            try await barrier.passed(2)
            #expect(requests().count == 2)
            stack.advance(by: 60)
            _ = await stack.sink.wait { _ in requests().count == 3 }
            let third = try #require(requests().last)
            #expect(try third.actionURLs.map { try NotifierStack.claims(of: $0, now: stack.clock.now).action } == [.complete])

            // Complete: no more requests; the location is asked for revenue, the customer for a review.
            let complete = Events.lifecycle(lead.id, .locationResponseChanged(locationId: location, from: .won, to: .complete, note: nil,
                                                                              followUpDelay: nil), at: stack.clock.now)
            try await stack.publishAndWait([complete])
            let surveys = await stack.sink.wait { mails in
                mails.contains { $0.rcptTos == [contactEmail] && $0.subject.hasPrefix("How did it go") }
                    && mails.contains { $0.rcptTos == [customerEmail] && $0.subject == "How was your experience?" }
            }
            let revenue = try #require(surveys.first { $0.rcptTos == [contactEmail] && $0.subject.hasPrefix("How did it go") })
            let revenueClaims = try revenue.actionURLs.map { try NotifierStack.claims(of: $0, now: stack.clock.now) }
            #expect(revenueClaims.map(\.action) == [.reportRevenue] && revenueClaims.first?.actor.id == contact)
            let review = try #require(surveys.first { $0.rcptTos == [customerEmail] && $0.subject == "How was your experience?" })
            let ratings = review.actionURLs
            #expect(ratings.count == 5)
            #expect(ratings.map { $0.components(separatedBy: "?rating=").last } == ["5", "4", "3", "2", "1"])
            let reviewClaims = try NotifierStack.claims(of: try #require(ratings.first), now: stack.clock.now)
            #expect(reviewClaims.action == .reviewLocation && reviewClaims.actor == Actor(id: lead.id.description, role: .customer))
            #expect(reviewClaims.leadId == lead.id && reviewClaims.locationId == location)

            try await barrier.arm(lead: lead.id, after: 3 * 3600)
            stack.advance(by: 3 * 3600 + 10)
            try await barrier.passed(3)
            #expect(requests().count == 3)
            #expect(try await stack.count("""
                SELECT count(*)::int FROM notifier.jobs WHERE lead_id = '\(lead.id)' AND kind = 'status_update_request' AND state = 'scheduled'
                """) == 0)
        }

        @Test("follow-up reminders and default tasks fire at the injected times; closing the lead stops them")
        func remindersAndTasks() async throws {
            let stack = try NotifierStack.shared
            let s = uniqueSuffix()
            let owner = "member-\(s)", ownerEmail = "owner.\(s)@example.com"
            try await stack.putRecipient(owner, #"{"kind":"member","name":"Olga Owner","email":"\#(ownerEmail)","locationId":"loc-\#(s)"}"#)
            let ownerToken = try await TestAuth.token(.salesperson, id: owner)
            let barrier = try await Barrier.make(stack)
            let start = stack.clock.now
            let lead = Events.lead(email: nil, owner: owner, location: nil, at: start)
            try await stack.publishAndWait([Events.assigned(lead, at: start)])
            @Sendable func mails(_ prefix: String) -> [ReceivedMail] { stack.sink.messages(to: ownerEmail).filter { $0.subject.hasPrefix(prefix) } }

            // The owner asks to be reminded in an hour.
            let created = try await stack.api("POST", "/v1/leads/\(lead.id)/reminders", token: ownerToken,
                                              body: #"{"delay":{"kind":"one_hour"},"note":"Call back about financing"}"#)
            #expect(created.status == 201, "\(created.text)")
            let due = try #require((created.json["dueAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(due.timeIntervalSince(stack.clock.now.addingTimeInterval(3600))) < 5)

            // 15 minutes in: the first default task of a third-party lead is due.
            stack.advance(by: 15 * 60 + 5)
            _ = await stack.sink.wait { _ in !mails("Task due: Call the lead").isEmpty }
            #expect(mails("Task due: Call the lead").count == 1)
            #expect(mails("Reminder").isEmpty)

            // An hour in: the reminder, with its note.
            stack.advance(by: 45 * 60 + 5)
            _ = await stack.sink.wait { _ in !mails("Reminder").isEmpty }
            let reminder = try #require(mails("Reminder").first)
            #expect(reminder.subject == "Reminder: follow up with Jürgen Groß")
            #expect(reminder.plain.contains("Your note: Call back about financing"))

            // Another reminder for tomorrow morning, then the lead is lost: neither it nor the next tasks fire.
            let tomorrow = try await stack.api("POST", "/v1/leads/\(lead.id)/reminders", token: ownerToken, body: #"{"delay":{"kind":"tomorrow"}}"#)
            #expect(tomorrow.status == 201)
            let schedule = try await stack.api("GET", "/v1/leads/\(lead.id)/schedule", token: ownerToken)
            #expect(schedule.status == 200)
            #expect(schedule.jsonArray.count >= 3)  // tomorrow's reminder and the remaining default tasks
            let closed = Events.lifecycle(lead.id, .pipelineStatusChanged(
                pipelineId: "default", from: .new, to: .closedLost, lostReason: .noLongerInterested, note: nil), at: stack.clock.now,
                actor: Actor(id: owner, role: .salesperson))
            try await stack.publishAndWait([closed])
            let other = Events.lead(email: nil, owner: "member-other-\(s)", location: nil, at: stack.clock.now)
            try await stack.publishAndWait([Events.assigned(other, at: stack.clock.now)])
            try await barrier.arm(lead: other.id, after: 2 * 86_400)
            let before = stack.sink.messages(to: ownerEmail).count
            stack.advance(by: 2 * 86_400 + 10)
            try await barrier.passed(1)
            #expect(stack.sink.messages(to: ownerEmail).count == before)
            let after = try await stack.api("GET", "/v1/leads/\(lead.id)/schedule", token: ownerToken)
            #expect(after.jsonArray.isEmpty)
        }

        @Test("quiet hours hold a delivery until they end; erasing a lead stops what is still pending and scrubs its content")
        func quietHoursAndErasure() async throws {
            let stack = try NotifierStack.shared
            let s = uniqueSuffix()
            let member = "member-\(s)", email = "night.\(s)@example.com"
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let hour = calendar.component(.hour, from: stack.clock.now)
            let start = String(format: "%02d:00", (hour + 23) % 24), end = String(format: "%02d:00", (hour + 2) % 24)
            try await stack.putRecipient(member, #"{"kind":"member","name":"Nina Night","email":"\#(email)","quietHours":{"start":"\#(start)","end":"\#(end)"}}"#)
            let profile = try await stack.api("GET", "/v1/recipients/\(member)", token: stack.adminToken)
            #expect(profile.text.contains(#""quietHours":{"end":"\#(end)","start":"\#(start)"}"#), "\(profile.text)")
            let now = stack.clock.now
            let kept = Events.lead(email: nil, owner: member, location: nil, at: now)
            let erased = Events.lead(email: nil, owner: member, location: nil, at: now)
            try await stack.publishAndWait([Events.assigned(kept, at: now)])
            try await stack.publishAndWait([Events.assigned(erased, at: now)])

            let pending = try await stack.api("GET", "/v1/leads/\(kept.id)/notifications", token: stack.adminToken)
            let delivery = try #require(pending.jsonArray.compactMap { $0 as? [String: Any] }
                .first { ($0["recipient"] as? [String: Any])?["id"] as? String == member })
            #expect(delivery["state"] as? String == "pending")
            let heldUntil = try #require((delivery["dueAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(calendar.component(.hour, from: heldUntil) == (hour + 2) % 24 && calendar.component(.minute, from: heldUntil) == 0)
            #expect(stack.sink.messages(to: email).isEmpty)

            try await stack.publishAndWait([Events.lifecycle(erased.id, .erased, at: now, actor: Actor(id: "admin-1", role: .platformAdmin))])
            let suppressed = await stack.waitOutcomes { $0.contains { $0.leadId == erased.id && $0.recipient.id == member && $0.status == .suppressed } }
            #expect(suppressed.first { $0.leadId == erased.id && $0.recipient.id == member }?.error == "lead_erased")
            #expect(try await stack.count("""
                SELECT count(*)::int FROM notifier.deliveries WHERE lead_id = '\(erased.id)'
                  AND (address IS NOT NULL OR body_text IS NOT NULL OR subject IS NOT NULL
                       OR (recipient_id = '\(member)' AND state <> 'cancelled'))
                """) == 0)

            stack.advance(by: heldUntil.timeIntervalSince(stack.clock.now) + 5)
            let arrived = await stack.sink.wait { $0.contains { $0.rcptTos == [email] && $0.subject.hasPrefix("New lead") } }
                .filter { $0.rcptTos == [email] && $0.subject.hasPrefix("New lead") }
            #expect(arrived.count == 1)
            #expect(arrived.first?.headers["x-leadflow-lead"] == kept.id.description)
        }
    }
}
