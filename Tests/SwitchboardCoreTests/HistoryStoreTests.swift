import Foundation
import Synchronization
import Testing
@testable import SwitchboardCore

@Suite("History store")
struct HistoryStoreTests {
    final class Clock: Sendable {
        let now = Mutex<Int64>(1_000_000)
        func advance(_ milliseconds: Int64) { now.withLock { $0 += milliseconds } }
    }

    static func frame(_ text: String, room: String = "r") -> [UInt8] {
        (try? PushMessage(url: "/x", body: Array(text.utf8)).encodedFrame(room: RoomName(room))) ?? []
    }

    static func store(_ limits: HistoryLimits, clock: Clock = Clock()) -> HistoryStore {
        var policy = DeliveryPolicy()
        policy.defaultLimits = limits
        return HistoryStore(policy: policy, clock: { clock.now.withLock { $0 } })
    }

    @Test("offsets grow by one per reliable push and are written into the frame; the epoch is non-zero")
    func offsets() throws {
        let store = Self.store(HistoryLimits())
        for expected in 1...3 {
            var frame = Self.frame("\(expected)")
            let position = store.appendReliable(&frame, to: "r")
            #expect(position.offset == UInt64(expected) && position.epoch != 0)
            let decoded = try FrameCodec.decode(frame)
            #expect(decoded == .push(PushFrame(url: "/x", room: "r", epoch: position.epoch, offset: UInt64(expected), data: ArraySlice("\(expected)".utf8))))
        }
    }

    @Test("count, byte and age bounds drop the oldest pushes; a replay from before them is lost")
    func bounds() {
        let clock = Clock()
        let store = Self.store(HistoryLimits(maxPushes: 3, maxBytes: 1 << 20, maxAge: .seconds(10)), clock: clock)
        for index in 1...5 {
            var frame = Self.frame("\(index)")
            _ = store.appendReliable(&frame, to: "r")
        }
        #expect(store.storedCount(of: "r") == 3)
        let epoch = store.position(of: "r").epoch
        #expect(store.replay("r", from: RoomPosition(epoch: epoch, offset: 1)) == .lost(reason: "history no longer covers offset 1", position: RoomPosition(epoch: epoch, offset: 5)))
        guard case .recovered(let frames, _) = store.replay("r", from: RoomPosition(epoch: epoch, offset: 2)) else {
            Issue.record("expected a recovery")
            return
        }
        #expect(frames.count == 3)
        clock.advance(10_001)
        #expect(store.replay("r", from: RoomPosition(epoch: epoch, offset: 4)) == .lost(reason: "history no longer covers offset 4", position: RoomPosition(epoch: epoch, offset: 5)))
        #expect(store.replay("r", from: RoomPosition(epoch: epoch, offset: 5)) == .recovered(frames: [], position: RoomPosition(epoch: epoch, offset: 5)))

        let small = Self.store(HistoryLimits(maxPushes: 100, maxBytes: 100, maxAge: .seconds(10)))
        for index in 1...10 {
            var frame = Self.frame("\(index)")
            _ = small.appendReliable(&frame, to: "r")
        }
        #expect(small.storedBytes <= 100 && small.storedCount(of: "r") > 0)
    }

    @Test("a dropped history starts again with a new epoch; positions of the old one are lost")
    func epochs() {
        let store = Self.store(HistoryLimits())
        var frame = Self.frame("1")
        let old = store.appendReliable(&frame, to: "r")
        store.discard("r")
        let new = store.position(of: "r")
        #expect(new.epoch != old.epoch && new.offset == 0)
        #expect(store.replay("r", from: old) == .lost(reason: "epoch changed", position: new))
    }

    @Test("latest pushes keep the newest per key; acknowledged pushes are released")
    func latestAndRelease() {
        let store = Self.store(HistoryLimits())
        for index in 1...3 {
            store.appendLatest(Self.frame("a\(index)"), key: "a", to: "r")
        }
        var frame = Self.frame("1")
        let position = store.appendReliable(&frame, to: "r")
        #expect(store.storedCount(of: "r") == 2)
        store.release("r", through: 1, epoch: position.epoch)
        #expect(store.storedCount(of: "r") == 0)
        #expect(store.replay("r", from: RoomPosition(epoch: position.epoch, offset: 0)) == .lost(reason: "history no longer covers offset 0", position: position))
    }

    @Test("concurrent appends to one room take every offset exactly once")
    func concurrency() async {
        let store = Self.store(HistoryLimits(maxPushes: 10_000))
        let offsets = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<250).map { _ in
                        var frame = Self.frame("x")
                        return store.appendReliable(&frame, to: "r").offset
                    }
                }
            }
            var all: [UInt64] = []
            for await part in group { all += part }
            return all
        }
        #expect(offsets.sorted() == Array(1...2000))
    }

    @Test("a replay to the session a push left out gives a SUBSCRIBE #0 in its place and skips latest pushes")
    func replayToExcludedSession() throws {
        let store = Self.store(HistoryLimits())
        var frames: [[UInt8]] = []
        for (index, excluded) in [nil, "s1", "s1", nil, "s1", "s2"].enumerated() {
            var frame = Self.frame("\(index + 1)")
            _ = store.appendReliable(&frame, to: "r", excludedSession: excluded)
            frames.append(frame)
        }
        store.appendLatest(Self.frame("cursor"), key: "k", to: "r", excludedSession: "s1")
        let epoch = store.position(of: "r").epoch
        func notice(_ offset: UInt64) -> [UInt8] { SubscribeNotice(room: "r", epoch: epoch, offset: offset).encodedFrame() }
        let position = RoomPosition(epoch: epoch, offset: 6)
        #expect(store.replay("r", from: RoomPosition(epoch: epoch, offset: 0), session: "s1") == .recovered(frames: [frames[0], notice(2), notice(3), frames[3], notice(5), frames[5]], position: position))
        #expect(store.replay("r", from: RoomPosition(epoch: epoch, offset: 3), session: "s2") == .recovered(frames: frames[3...4] + [notice(6), Self.frame("cursor")], position: position))
        #expect(store.replay("r", from: RoomPosition(epoch: epoch, offset: 4)) == .recovered(frames: frames[4...5] + [Self.frame("cursor")], position: position))
    }

    @Test("past the total byte bound the least recently used rooms' histories are dropped; their next use has a new epoch")
    func totalBound() throws {
        let clock = Clock()
        var policy = DeliveryPolicy()
        let size = Self.frame("0123456789").count
        policy.maxTotalBytes = 5 * size
        let store = HistoryStore(policy: policy, clock: { clock.now.withLock { $0 } })
        var positions: [RoomName: RoomPosition] = [:]
        for room in ["a", "b", "c"] as [RoomName] {
            for _ in 0..<(room == "a" ? 1 : 2) {
                var frame = Self.frame("0123456789", room: room.rawValue)
                positions[room] = store.appendReliable(&frame, to: room)
                clock.advance(10)
            }
        }
        #expect(store.storedBytes == 5 * size && store.count == 3)
        _ = store.position(of: "a")  // a is used again: b is now the least recently used
        clock.advance(10)
        var frame = Self.frame("0123456789", room: "d")
        _ = store.appendReliable(&frame, to: "d")
        #expect(store.storedBytes == 4 * size && store.count == 3, "b's two pushes were dropped, nothing else")
        #expect(store.storedCount(of: "b") == 0 && store.storedCount(of: "a") == 1 && store.storedCount(of: "c") == 2)
        let b = try #require(positions["b"])
        guard case .lost(let reason, let now) = store.replay("b", from: b) else {
            Issue.record("a dropped history cannot be recovered")
            return
        }
        #expect(reason == "epoch changed" && now.epoch != b.epoch && now.offset == 0)
        let c = try #require(positions["c"])
        if case .recovered(let frames, let now) = store.replay("c", from: RoomPosition(epoch: c.epoch, offset: 0)) {
            #expect(frames.count == 2 && now == c)
        } else {
            Issue.record("c keeps its history")
        }
    }

    @Test("past the total bound, rooms are dropped oldest first down to 7/8 of it (so the next drop is an eighth of the bound away), on local and on shared appends")
    func totalBoundLowWater() throws {
        let clock = Clock()
        let size = Self.frame("0123456789").count
        var policy = DeliveryPolicy()
        policy.maxTotalBytes = 16 * size
        let store = HistoryStore(policy: policy, clock: { clock.now.withLock { $0 } })
        for index in 0..<16 {
            var frame = Self.frame("0123456789")
            _ = store.appendReliable(&frame, to: RoomName("r\(index)"))
            clock.advance(10)
        }
        #expect(store.count == 16 && store.storedBytes == 16 * size)
        var frame = Self.frame("0123456789")
        _ = store.appendReliable(&frame, to: "new")
        // 17 frames > 16: down to at most 14 (7/8 of 16): r0, r1 and r2, the oldest, are dropped.
        #expect(store.storedBytes == 14 * size)
        #expect((0..<3).allSatisfy { store.storedCount(of: RoomName("r\($0)")) == 0 })
        #expect((3..<16).allSatisfy { store.storedCount(of: RoomName("r\($0)")) == 1 } && store.storedCount(of: "new") == 1)
        // Two more fit without dropping anything.
        for room in ["r3", "r4"] as [RoomName] {
            var frame = Self.frame("0123456789")
            _ = store.appendReliable(&frame, to: room)
        }
        #expect(store.storedBytes == 16 * size && store.count == 14)

        // A shared append (a cluster node's copy) keeps the bound too.
        let epoch = store.position(of: "r5").epoch
        let entry = SharedHistory.Entry(offset: 2, key: nil, position: 2, sequence: 2, appendedAt: 0, frame: Self.frame("0123456789"), excludedSession: nil)
        #expect(store.appendShared(entry, epoch: epoch, to: "r5") == .appended)
        #expect(store.storedBytes <= 14 * size, "\(store.storedBytes / size) frames kept")
        #expect(store.storedCount(of: "r5") == 2)
    }

    @Test("a room larger than the total bound alone keeps its own history")
    func totalBoundSingleRoom() {
        var policy = DeliveryPolicy()
        policy.maxTotalBytes = 10
        let store = HistoryStore(policy: policy)
        for _ in 0..<3 {
            var frame = Self.frame("0123456789")
            _ = store.appendReliable(&frame, to: "r")
        }
        #expect(store.storedCount(of: "r") == 3 && store.count == 1)
    }

    @Test("an idle empty history is dropped by a sweep unless retained")
    func sweep() {
        let clock = Clock()
        let store = Self.store(HistoryLimits(maxAge: .seconds(1)), clock: clock)
        _ = store.position(of: "kept")
        _ = store.position(of: "idle")
        clock.advance(2_000)
        store.sweep(force: true) { $0 == "kept" }
        #expect(store.count == 1)
    }
}
