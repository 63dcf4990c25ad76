@testable import LeadServiceKit
import LeadMessaging
import Testing

@Suite("Consumer lanes: offsets over contiguous runs, key-stable lanes")
struct ConsumerLanesTests {
    func message(_ partition: Int32, _ offset: Int64, key: String? = nil) -> ConsumedMessage {
        ConsumedMessage(topic: "t", partition: partition, offset: offset, key: key.map { Array($0.utf8) }, value: [])
    }

    @Test("an offset advances only over a contiguous run of finished messages")
    func contiguous() {
        let tracker = OffsetTracker()
        for offset in 10...14 { tracker.register(message(0, Int64(offset))) }
        tracker.register(message(1, 3))
        #expect(tracker.complete(message(0, 12)) == nil)   // 10 and 11 still running
        #expect(tracker.complete(message(0, 11)) == nil)
        #expect(tracker.complete(message(0, 10))?.offset == 12)  // 10, 11, 12 done
        #expect(tracker.complete(message(1, 3))?.offset == 3)   // partitions are independent
        #expect(tracker.complete(message(0, 14)) == nil)
        #expect(tracker.complete(message(0, 13))?.offset == 14)
        #expect(tracker.complete(message(0, 99)) == nil)   // never registered
    }

    @Test("a partition read again after a rebalance starts a fresh run")
    func reassigned() {
        let tracker = OffsetTracker()
        tracker.register(message(0, 5))
        tracker.register(message(0, 6))
        tracker.register(message(0, 5))  // redelivered from 5
        #expect(tracker.complete(message(0, 5))?.offset == 5)
    }

    @Test("one key always lands in one lane; keys spread over the lanes")
    func lanes() {
        let keys = (0..<400).map { "lead-\($0)" }
        for key in keys {
            let lane = LaneChooser.lane(for: message(0, 0, key: key), count: 8)
            #expect(LaneChooser.lane(for: message(5, 9, key: key), count: 8) == lane)
        }
        let used = Set(keys.map { LaneChooser.lane(for: message(0, 0, key: $0), count: 8) })
        #expect(used.count == 8)
        #expect(LaneChooser.lane(for: message(3, 0), count: 8) == 3)
    }

    @Test("the in-flight limit makes the next taker wait for a release")
    func limit() async {
        let limit = InFlightLimit(1)
        await limit.acquire()
        let waiter = Task { await limit.acquire(); return true }
        try? await Task.sleep(for: .milliseconds(50))
        limit.release()
        #expect(await waiter.value)
    }
}
