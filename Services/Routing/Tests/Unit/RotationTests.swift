import Testing
@testable import LeadRouting

@Suite("Round-robin rotation")
struct RotationTests {
    @Test("starts with the lowest id when the team never assigned")
    func firstTurn() {
        #expect(Rotation.next(["member-c", "member-a", "member-b"], after: nil) == "member-a")
    }

    @Test("takes the next id after the last assignee and wraps around")
    func nextAndWrap() {
        let ids = ["member-a", "member-b", "member-c"]
        #expect(Rotation.next(ids, after: "member-a") == "member-b")
        #expect(Rotation.next(ids, after: "member-c") == "member-a")
        #expect(Rotation.order(ids, after: "member-b") == ["member-c", "member-a", "member-b"])
    }

    @Test("a last assignee who left the pool still positions the turn (tie-break by id order)")
    func departedMember() {
        #expect(Rotation.next(["member-a", "member-c"], after: "member-b") == "member-c")
        #expect(Rotation.next(["member-a", "member-c"], after: "member-z") == "member-a")
    }

    @Test("a thousand turns over seven members spread within one of each other")
    func fairness() {
        let ids = (1...7).map { "member-\($0)" }
        var last: String?
        var counts: [String: Int] = [:]
        for _ in 0..<1000 {
            let next = Rotation.next(ids, after: last)!
            counts[next, default: 0] += 1
            last = next
        }
        #expect(counts.count == 7)
        #expect(counts.values.max()! - counts.values.min()! <= 1)
    }
}
