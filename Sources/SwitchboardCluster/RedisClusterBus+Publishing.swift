import Logging
import NIOCore
import Switchboard
import SwitchboardRedis

/// Publishing: each push placed by one `EVALSHA`, this node's part delivered from its reply.
extension RedisClusterBus {
    /// Places one push with one `EVALSHA`; delivers this node's part from the reply, or at once
    /// through the in-process publisher while degraded.
    func place(_ push: Push, attachment: ClusterAttachment<Connection>) throws(FrameError) {
        let publisher = attachment.publisher
        let message = push.message
        var kind: Character = "r"
        var target = ""
        var excluded = ""
        var room: RoomName?
        switch push.target {
        case .room(let name, let without):
            (target, room) = (name.rawValue, name)
            excluded = PlacedPush.excluded(connection: without, session: without.flatMap(attachment.sessions.sessionId(of:)))
        case .user(let userId):
            let name = RoomName.user(userId)
            (target, room) = (name.rawValue, name)
        case .connection(let id):
            kind = "c"
            target = id.rawValue
            room = publisher.connections.get(id)?.clientRoom
        case .everyone(let without):
            kind = "e"
            excluded = PlacedPush.excluded(connection: without, session: nil)
        }
        let policyRoom = room ?? RoomName.client(target)
        var delivery = message.delivery ?? publisher.history.defaultDelivery(for: policyRoom)
        if kind == "e" { delivery = .volatile }
        let frame = try message.encodedFrame(room: room)
        let limits = historyLimits(of: policyRoom)
        let deliveryClass: Character
        switch delivery {
        case .reliable: deliveryClass = "r"
        case .latest: deliveryClass = "l"
        case .volatile: deliveryClass = "v"
        }
        let key = message.latestKey(of: delivery) ?? ""
        let (kindSent, targetSent, excludedSent) = (kind, target, excluded)
        // A connection on another node: Redis writes its client room into the frame.
        let urlLength = kind == "c" && room == nil ? message.url.utf8.count : nil
        let sent = send(
            kind: kind, target: target, excluded: excluded, deliveryClass: deliveryClass, key: key, maxPushes: limits.maxPushes,
            maxAge: ClusterConfiguration.milliseconds(limits.maxAge), createdAt: message.createdAt, frame: frame, urlLength: urlLength
        ) { [weak self] reply in
            guard let self, urlLength == nil else { return }
            switch reply {
            case .success(let value):
                guard let placed = Self.placed(from: value, kind: kindSent, target: targetSent, excluded: excludedSent, deliveryClass: deliveryClass, key: key, createdAt: message.createdAt, frame: frame) else {
                    if value.errorMessage != nil { self.logger.error("push not placed", metadata: ["url": "\(message.url)", "error": "\(value)"]) }
                    return
                }
                self.deliverHere(placed, attachment: attachment)
            case .failure(let error):
                self.degrade("a publish failed: \(error)")
                self.deliverInProcess(push, attachment: attachment)
            }
        }
        if !sent { deliverInProcess(push, attachment: attachment) }
    }

    /// Sends the publish script on the bus connection; `false` (nothing sent) while degraded.
    func send(
        kind: Character, target: String, excluded: String, deliveryClass: Character, key: String, maxPushes: Int, maxAge: Int64,
        createdAt: Int64, frame: [UInt8], urlLength: Int?, onReply: (@Sendable (Result<RESPValue, any Error>) -> Void)?
    ) -> Bool {
        guard let (subscriber, sha) = state.withLock({ state in state.healthy ? state.subscriber.map { ($0, state.scripts.publish) } : nil }) else {
            return false
        }
        var arguments: [[UInt8]] = [sha, "0", prefix, node, String(kind), target, excluded, String(deliveryClass), key,
            String(UInt32.random(in: 1...UInt32.max)), String(maxPushes), String(maxAge), String(createdAt)].map { Array($0.utf8) }
        arguments.append(frame)
        arguments.append(Array((urlLength.map(String.init) ?? "").utf8))
        let future = subscriber.enqueue([RedisCommand("EVALSHA", arguments)])
        if let onReply {
            future.whenComplete { result in onReply(result.map { $0.first ?? .null }) }
        }
        return true
    }

    /// Delivers a push to this node's recipients only, with this node's own histories.
    private func deliverInProcess(_ push: Push, attachment: ClusterAttachment<Connection>) {
        noteCrossNodeFailure("Redis is unavailable: a push reached this node's connections only")
        let room: RoomName? =
            switch push.target {
            case .room(let room, _): room
            case .user(let userId): RoomName.user(userId)
            case .connection(let id): attachment.publisher.connections.get(id)?.clientRoom
            case .everyone: nil
            }
        if let room { state.withLock { _ = $0.broken.insert(room) } }
        attachment.publisher.publish([push]) { attachment.deliver($0) }
    }

    /// The push the publish script's reply describes, for this node's recipients.
    private static func placed(
        from reply: RESPValue, kind: Character, target: String, excluded: String, deliveryClass: Character, key: String,
        createdAt: Int64, frame: [UInt8]
    ) -> PlacedPush? {
        guard let items = reply.elements, items.count == 6, let epoch = items[0].integer, let offset = items[1].integer,
            let sequence = items[2].integer, let now = items[3].integer, let published = items[4].integer, published >= 0
        else { return nil }
        return PlacedPush(
            kind: UInt8(ascii: kind.unicodeScalars.first ?? "r"), target: target, room: items[5].string ?? "", excluded: excluded,
            deliveryClass: UInt8(ascii: deliveryClass.unicodeScalars.first ?? "v"), epoch: UInt32(truncatingIfNeeded: epoch),
            offset: UInt64(max(offset, 0)), sequence: UInt64(max(sequence, 0)), createdAt: createdAt, placedAt: now, key: key, frame: frame
        )
    }
}
