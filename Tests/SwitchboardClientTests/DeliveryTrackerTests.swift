@testable import SwitchboardClient
import Testing

/// The per room position state machine: next, duplicate, gap, epoch change, ACK batches.
@Suite("Client delivery tracker")
struct DeliveryTrackerTests {
    @Test("the first push sets the position; the next follows; a lower or equal offset is a duplicate")
    func sequence() {
        var tracker = DeliveryTracker()
        #expect(tracker.receive(room: "r", epoch: 7, offset: 4) == .deliver)
        #expect(tracker.receive(room: "r", epoch: 7, offset: 5) == .deliver)
        #expect(tracker.receive(room: "r", epoch: 7, offset: 5) == .duplicate)
        #expect(tracker.receive(room: "r", epoch: 7, offset: 2) == .duplicate)
        #expect(tracker.receive(room: "r", epoch: 0, offset: 0) == .deliver)
        #expect(tracker.positions == ["r": RoomPosition(epoch: 7, offset: 5)])
    }

    @Test("a skipped offset or another epoch is a gap, and the position moves to the push")
    func gaps() {
        var tracker = DeliveryTracker()
        _ = tracker.receive(room: "r", epoch: 7, offset: 1)
        #expect(tracker.receive(room: "r", epoch: 7, offset: 4) == .gap(reason: "expected offset 2, got 4"))
        #expect(tracker.receive(room: "r", epoch: 9, offset: 1) == .gap(reason: "epoch changed"))
        #expect(tracker.positions["r"] == RoomPosition(epoch: 9, offset: 1))
    }

    @Test("while a RESUME is answered, gaps are kept for its report instead")
    func gapsWhileResuming() {
        var tracker = DeliveryTracker()
        _ = tracker.receive(room: "r", epoch: 7, offset: 1)
        tracker.beginResume()
        #expect(tracker.receive(room: "r", epoch: 8, offset: 3) == .deliver)
        #expect(tracker.endResume() == ["r": "epoch changed"])
        #expect(tracker.endResume().isEmpty)
    }

    @Test("a server position is taken unless the client is further in the same epoch")
    func settle() {
        var tracker = DeliveryTracker()
        _ = tracker.receive(room: "r", epoch: 7, offset: 9)
        tracker.settle(room: "r", epoch: 7, offset: 6)
        #expect(tracker.positions["r"]?.offset == 9)
        tracker.settle(room: "r", epoch: 8, offset: 2)
        #expect(tracker.positions["r"] == RoomPosition(epoch: 8, offset: 2))
    }

    @Test("ACKs name each room's highest processed offset once")
    func acks() {
        var tracker = DeliveryTracker()
        for offset in 1...3 { _ = tracker.receive(room: "a", epoch: 1, offset: UInt64(offset)) }
        _ = tracker.receive(room: "b", epoch: 2, offset: 1)
        #expect(tracker.needsAck("a", batchSize: 3) && !tracker.needsAck("b", batchSize: 3))
        #expect(tracker.takeAcks(room: "a").map(\.offset) == [3])
        #expect(tracker.hasUnacked)
        #expect(tracker.takeAcks().map(\.room) == ["b"])
        #expect(!tracker.hasUnacked && tracker.takeAcks().isEmpty)
    }
}
