import Foundation
import LeadModel

/// A task every lead of a category gets, due some time after the lead enters the category.
public struct DefaultTask: Hashable, Sendable, Codable {
    /// What to do.
    public var title: String
    /// Seconds after the lead entered the category (assignment, or the sale).
    public var dueAfterSeconds: Int

    /// Creates a default task.
    public init(title: String, dueAfterSeconds: Int) {
        self.title = title
        self.dueAfterSeconds = dueAfterSeconds
    }

    /// Problems of a task list given through the admin API.
    public static func problems(of tasks: [DefaultTask]) -> [ValidationFailure] {
        var failures: [ValidationFailure] = []
        if tasks.count > 20 { failures.append(.init(field: "/", rule: "length", message: "at most 20 default tasks per category")) }
        for (index, task) in tasks.enumerated() {
            if task.title.allSatisfy(\.isWhitespace) || task.title.count > 200
                || task.title.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
                failures.append(.init(field: "/\(index)/title", rule: "format", message: "1–200 characters, no control characters"))
            }
            if !(0...(365 * 86_400)).contains(task.dueAfterSeconds) {
                failures.append(.init(field: "/\(index)/dueAfterSeconds", rule: "range", message: "0 to one year"))
            }
        }
        return failures
    }

    /// The tasks a fresh installation starts with.
    public static let seed: [LeadCategory: [DefaultTask]] = [
        .thirdParty: [
            DefaultTask(title: "Call the lead", dueAfterSeconds: 15 * 60),
            DefaultTask(title: "Send a personal e-mail", dueAfterSeconds: 3600),
            DefaultTask(title: "Follow up if there was no answer", dueAfterSeconds: 86_400),
        ],
        .manual: [
            DefaultTask(title: "Log the first conversation", dueAfterSeconds: 3600),
            DefaultTask(title: "Send the offer", dueAfterSeconds: 2 * 86_400),
        ],
        .sold: [
            DefaultTask(title: "Schedule the delivery", dueAfterSeconds: 86_400),
            DefaultTask(title: "Thank-you call", dueAfterSeconds: 3 * 86_400),
            DefaultTask(title: "Ask for a referral", dueAfterSeconds: 14 * 86_400),
        ],
    ]
}

extension Lead {
    /// The category whose default tasks a newly assigned lead gets: manual entries are `manual`,
    /// everything from partners and feeds is `third_party`.
    public var intakeCategory: LeadCategory {
        source.channel == .manual ? .manual : .thirdParty
    }
}
