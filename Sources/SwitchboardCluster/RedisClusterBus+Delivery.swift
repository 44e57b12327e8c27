import Logging
import NIOCore
import Switchboard
import SwitchboardRedis

/// Delivery on this node of the pushes Redis placed, and its repair: a push past the next
/// offset of this node's copy of a room's history (the node missed pushes, e.g. while its
/// registration for the room had lapsed) waits, with the room's later pushes, until the
/// missing ones are read from the room's stream; then all are delivered in offset order.
extension RedisClusterBus {
    /// This node's recipients of a push Redis placed (its own, or another node's), in its
    /// room's offset order. Called on the bus connection's event loop, in the order Redis
    /// placed the pushes.
    func deliverHere(_ placed: PlacedPush, attachment: ClusterAttachment<Connection>) {
        if placed.kind == UInt8(ascii: "d") {
            _ = attachment.disconnectLocally(placed.target, String(decoding: placed.frame, as: UTF8.self))
            return
        }
        let publisher = attachment.publisher
        let room = RoomName(placed.room)
        let gap = publisher.inOrder { () -> UInt64? in
            if !placed.room.isEmpty, holdBack(placed, room: room) { return nil }
            switch placed.delivery(on: publisher) {
            case .ready(let delivery):
                if let delivery { attachment.deliver([delivery]) }
                return nil
            case .gap(let after):
                state.withLock { $0.repairs[room] = [placed] }
                return after
            }
        }
        if let gap { repair(room, after: gap, attachment: attachment) }
    }

    /// Queues `placed` behind the room's repair, if one is under way.
    private func holdBack(_ placed: PlacedPush, room: RoomName) -> Bool {
        state.withLock { state in
            guard state.repairs[room] != nil else { return false }
            state.repairs[room]?.append(placed)
            return true
        }
    }

    /// Reads the room's stream with the load script on the bus connection, which also
    /// registers this node for the room again. Its reply comes after every push Redis placed
    /// before it, so the stream has what is missing before each push held back meanwhile
    /// (unless trimmed).
    private func repair(_ room: RoomName, after offset: UInt64, attachment: ClusterAttachment<Connection>) {
        logger.info("a room's pushes were missed: reading them from its stream", metadata: ["node": "\(node)", "room": "\(room)", "after": "\(offset)"])
        guard let (subscriber, sha) = state.withLock({ state in state.healthy ? state.subscriber.map { ($0, state.scripts.load) } : nil }) else {
            finishRepair(room, after: offset, stream: nil, attachment: attachment)
            return
        }
        subscriber.enqueue([loadCommand(sha: sha, room: room)]).whenComplete { [self] result in
            var stream: (history: SharedHistory, entries: [StreamEntry])?
            switch result {
            case .success(let replies):
                stream = replies.first.flatMap { Self.sharedHistory(from: $0, room: room) }
                if stream == nil { logger.error("cannot read a room's stream", metadata: ["room": "\(room)", "reply": "\(replies)"]) }
            case .failure(let error):
                logger.warning("cannot read a room's stream", metadata: ["room": "\(room)", "error": "\(error)"])
            }
            finishRepair(room, after: offset, stream: stream, attachment: attachment)
        }
    }

    /// Delivers the pushes held back for `room`, each after the stream's entries that come
    /// before it, then the stream's entries newer than all of them (pushes this node was left
    /// out of). What the stream no longer has is left out: the clients see the gap.
    private func finishRepair(
        _ room: RoomName, after offset: UInt64, stream: (history: SharedHistory, entries: [StreamEntry])?,
        attachment: ClusterAttachment<Connection>
    ) {
        let publisher = attachment.publisher
        let lost = publisher.inOrder { () -> [ClosedRange<UInt64>] in
            let held = state.withLock { $0.repairs.removeValue(forKey: room) } ?? []
            let epoch = held.first?.epoch
            var fetched: ArraySlice<PlacedPush> = []
            if let stream, stream.history.epoch == epoch, publisher.history.holds(room) {
                fetched = stream.entries.map { $0.placed(in: room.rawValue, epoch: stream.history.epoch) }[...]
            }
            var deliveries: [PushDelivery<Connection>] = []
            var expected = offset + 1
            var lost: [ClosedRange<UInt64>] = []
            func deliver(_ push: PlacedPush) {
                if push.deliveryClass == UInt8(ascii: "r"), push.epoch == epoch, push.offset >= expected {
                    if push.offset > expected { lost.append(expected...(push.offset - 1)) }
                    expected = push.offset + 1
                }
                if case .ready(let delivery?) = push.delivery(on: publisher, acceptingGap: true) { deliveries.append(delivery) }
            }
            for push in held {
                if push.isKept, push.epoch == epoch {
                    while let next = fetched.first, next.sequence < push.sequence {
                        fetched.removeFirst()
                        deliver(next)
                    }
                }
                deliver(push)
            }
            fetched.forEach(deliver)
            if !deliveries.isEmpty { attachment.deliver(deliveries) }
            return lost
        }
        if !lost.isEmpty {
            logger.warning(
                "pushes missed by this node are no longer in the room's stream: its clients see a gap",
                metadata: ["node": "\(node)", "room": "\(room)", "offsets": "\(lost.map { "\($0.lowerBound)-\($0.upperBound)" })"]
            )
        }
    }
}
