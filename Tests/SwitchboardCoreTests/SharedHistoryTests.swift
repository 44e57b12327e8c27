import Foundation
import Synchronization
import Testing
@testable import SwitchboardCore

/// A node's copy of a room history shared by a cluster (``HistoryStore`` with a source).
@Suite("Shared history copies")
struct SharedHistoryTests {
    static func entry(_ offset: UInt64, sequence: UInt64, epoch: UInt32 = 7) -> SharedHistory.Entry {
        var frame = (try? PushMessage(url: "/x", body: Array("p\(offset)".utf8)).encodedFrame(room: "r")) ?? []
        FrameCodec.setPushPosition(epoch: epoch, offset: offset, in: &frame)
        return SharedHistory.Entry(offset: offset, key: nil, position: offset, sequence: sequence, appendedAt: 1_000_000, frame: frame)
    }

    static func store(source: @escaping HistorySource) -> HistoryStore {
        HistoryStore(clock: { 1_000_000 }, source: source)
    }

    @Test("a room's history is loaded from the source once, with its epoch and offsets, and replays from it")
    func loadsOnce() {
        let loads = Mutex(0)
        let store = Self.store { _ in
            loads.withLock { $0 += 1 }
            return SharedHistory(epoch: 7, offset: 3, sequence: 3, entries: [Self.entry(2, sequence: 2), Self.entry(3, sequence: 3)], isComplete: false)
        }
        #expect(store.position(of: "r") == RoomPosition(epoch: 7, offset: 3))
        #expect(store.replay("r", from: RoomPosition(epoch: 7, offset: 2)) == .recovered(frames: [Self.entry(3, sequence: 3).frame], position: RoomPosition(epoch: 7, offset: 3)))
        // The stream was trimmed: what came between offsets 1 and 2 (a latest-class push) may be gone.
        guard case .lost = store.replay("r", from: RoomPosition(epoch: 7, offset: 1)) else {
            Issue.record("a position before the trimmed stream's first entry must be lost")
            return
        }
        #expect(loads.withLock { $0 } == 1)
    }

    @Test("appends with the cluster's sequence numbers: a repeat is a duplicate, an untracked room keeps nothing")
    func appends() {
        let store = Self.store { _ in SharedHistory(epoch: 7, offset: 0, sequence: 0, entries: [], isComplete: true) }
        #expect(store.appendShared(Self.entry(1, sequence: 1), epoch: 7, to: "r") == .untracked)
        #expect(store.holds("r") == false)
        _ = store.position(of: "r")
        #expect(store.appendShared(Self.entry(1, sequence: 1), epoch: 7, to: "r") == .appended)
        #expect(store.appendShared(Self.entry(1, sequence: 1), epoch: 7, to: "r") == .duplicate)
        #expect(store.appendShared(Self.entry(2, sequence: 2), epoch: 7, to: "r") == .appended)
        #expect(store.position(of: "r") == RoomPosition(epoch: 7, offset: 2))
        #expect(store.replay("r", from: RoomPosition(epoch: 7, offset: 0)) == .recovered(frames: [Self.entry(1, sequence: 1).frame, Self.entry(2, sequence: 2).frame], position: RoomPosition(epoch: 7, offset: 2)))
    }

    @Test("a reliable entry past the next offset is a gap, nothing kept, until accepted: then the missing offset is not covered")
    func gaps() {
        let store = Self.store { _ in SharedHistory(epoch: 7, offset: 1, sequence: 1, entries: [Self.entry(1, sequence: 1)], isComplete: true) }
        _ = store.position(of: "r")
        #expect(store.appendShared(Self.entry(3, sequence: 3), epoch: 7, to: "r") == .gap(after: 1))
        #expect(store.position(of: "r") == RoomPosition(epoch: 7, offset: 1), "nothing kept")
        #expect(store.appendShared(Self.entry(2, sequence: 2), epoch: 7, to: "r") == .appended)
        #expect(store.appendShared(Self.entry(3, sequence: 3), epoch: 7, to: "r") == .appended)
        #expect(store.appendShared(Self.entry(5, sequence: 5), epoch: 7, to: "r", acceptingGap: true) == .appended)
        #expect(store.position(of: "r") == RoomPosition(epoch: 7, offset: 5))
        guard case .lost = store.replay("r", from: RoomPosition(epoch: 7, offset: 3)) else {
            Issue.record("offset 4 is not kept: a client at 3 cannot be recovered")
            return
        }
        let position = RoomPosition(epoch: 7, offset: 5)
        #expect(store.replay("r", from: RoomPosition(epoch: 7, offset: 4)) == .recovered(frames: [Self.entry(5, sequence: 5).frame], position: position))
    }

    @Test("a missed reliable entry fetched after a newer latest-class one is kept before it, once")
    func missedBeforeLatest() {
        let store = Self.store { _ in SharedHistory(epoch: 7, offset: 1, sequence: 1, entries: [Self.entry(1, sequence: 1)], isComplete: true) }
        _ = store.position(of: "r")
        let latest = SharedHistory.Entry(offset: 0, key: "k", position: 2, sequence: 3, appendedAt: 1_000_000, frame: Array("latest".utf8))
        #expect(store.appendShared(latest, epoch: 7, to: "r") == .appended)
        #expect(store.appendShared(Self.entry(2, sequence: 2), epoch: 7, to: "r") == .appended)
        #expect(store.appendShared(Self.entry(2, sequence: 2), epoch: 7, to: "r") == .duplicate)
        #expect(store.appendShared(latest, epoch: 7, to: "r") == .duplicate)
        let position = RoomPosition(epoch: 7, offset: 2)
        #expect(store.replay("r", from: RoomPosition(epoch: 7, offset: 1)) == .recovered(frames: [Self.entry(2, sequence: 2).frame, latest.frame], position: position))
    }

    @Test("an append of another epoch replaces the copy: positions of the old epoch are lost, never replayed")
    func epochChange() {
        let store = Self.store { _ in SharedHistory(epoch: 7, offset: 5, sequence: 5, entries: [], isComplete: true) }
        _ = store.position(of: "r")
        #expect(store.appendShared(Self.entry(1, sequence: 1, epoch: 9), epoch: 9, to: "r") == .appended)
        #expect(store.position(of: "r") == RoomPosition(epoch: 9, offset: 1))
        guard case .lost(let reason, _) = store.replay("r", from: RoomPosition(epoch: 7, offset: 5)) else {
            Issue.record("the old epoch must be lost")
            return
        }
        #expect(reason == "epoch changed")
    }

    @Test("without a source answer the store starts a history of its own, and discardAll drops every copy")
    func unreachableSource() {
        let store = Self.store { _ in nil }
        let position = store.position(of: "r")
        #expect(position.epoch != 0 && position.offset == 0)
        store.discardAll()
        #expect(store.holds("r") == false)
    }
}
