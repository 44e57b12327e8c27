import SwitchboardCore

/// Per room, the last reliable push the client processed and what it has acknowledged: decides
/// for each push whether it is next, a duplicate or after a gap (PROTOCOL.md §4), and which
/// ACKs to send. A pure state machine, kept in ``ClientCore``.
struct DeliveryTracker: Sendable {
    /// One room's position and acknowledgement.
    struct Cursor: Sendable, Hashable {
        var epoch: UInt32
        var offset: UInt64
        /// The highest offset of `epoch` acknowledged.
        var acked: UInt64 = 0
        /// Pushes processed since the last ACK.
        var unacked = 0
    }

    /// What to do with a push.
    enum Verdict: Sendable, Hashable {
        /// Deliver it (the next one, or outside the sequence).
        case deliver
        /// Drop it: its offset is not after the room's last.
        case duplicate
        /// Deliver it and report the room not recovered, for `reason`.
        case gap(reason: String)
    }

    private(set) var cursors: [String: Cursor] = [:]
    /// Whether a RESUME's answer is awaited: gaps are then reported with that answer.
    private(set) var isResuming = false
    /// Gaps seen since a RESUME was sent (and not yet answered), room → reason.
    private(set) var gapsWhileResuming: [String: String] = [:]

    /// The last processed position per room (reliable pushes and subscriptions).
    var positions: [String: RoomPosition] {
        cursors.mapValues { RoomPosition(epoch: $0.epoch, offset: $0.offset) }
    }

    /// A push of `room` at `epoch:offset` arrived.
    mutating func receive(room: String, epoch: UInt32, offset: UInt64) -> Verdict {
        guard offset > 0, epoch != 0, !room.isEmpty else { return .deliver }
        guard let cursor = cursors[room] else {
            cursors[room] = Cursor(epoch: epoch, offset: offset, unacked: 1)
            return .deliver
        }
        if cursor.epoch == epoch {
            if offset <= cursor.offset { return .duplicate }
            cursors[room]?.offset = offset
            cursors[room]?.unacked += 1
            if offset == cursor.offset + 1 { return .deliver }
            return gap(room, reason: "expected offset \(cursor.offset + 1), got \(offset)")
        }
        cursors[room] = Cursor(epoch: epoch, offset: offset, unacked: 1)
        return gap(room, reason: "epoch changed")
    }

    private mutating func gap(_ room: String, reason: String) -> Verdict {
        guard isResuming else { return .gap(reason: reason) }
        if gapsWhileResuming[room] == nil { gapsWhileResuming[room] = reason }
        return .deliver
    }

    /// The server gave `room`'s position (SUBSCRIBE, RESUME answer): taken unless the client is
    /// already further in the same epoch (live pushes may precede the answer).
    mutating func settle(room: String, epoch: UInt32, offset: UInt64) {
        if let cursor = cursors[room], cursor.epoch == epoch {
            if offset > cursor.offset { cursors[room]?.offset = offset }
        } else {
            cursors[room] = Cursor(epoch: epoch, offset: offset)
        }
    }

    /// Forgets `room`'s position: its next push is taken as is.
    mutating func forget(_ room: String) {
        cursors[room] = nil
    }

    /// A RESUME was sent.
    mutating func beginResume() {
        isResuming = true
    }

    /// Its answer arrived (or will not): the gaps seen meanwhile, which the answer's report
    /// includes.
    mutating func endResume() -> [String: String] {
        isResuming = false
        defer { gapsWhileResuming = [:] }
        return gapsWhileResuming
    }

    /// Whether `room` has processed `batchSize` pushes since its last ACK.
    func needsAck(_ room: String, batchSize: Int) -> Bool {
        (cursors[room]?.unacked ?? 0) >= batchSize
    }

    /// Whether some room has pushes not acknowledged.
    var hasUnacked: Bool { cursors.values.contains { $0.unacked > 0 && $0.offset > $0.acked } }

    /// The ACKs to send (`room` only, or every room), marking them sent.
    mutating func takeAcks(room: String? = nil) -> [AckFrame] {
        var acks: [AckFrame] = []
        for name in room.map({ [$0] }) ?? cursors.keys.sorted() {
            guard let cursor = cursors[name], cursor.unacked > 0 else { continue }
            cursors[name]?.unacked = 0
            guard cursor.offset > cursor.acked else { continue }
            cursors[name]?.acked = cursor.offset
            acks.append(AckFrame(room: name, epoch: cursor.epoch, offset: cursor.offset))
        }
        return acks
    }
}
