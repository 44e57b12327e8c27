import SwitchboardCore

/// A push as Redis placed it: where it goes, and its room's epoch, offset and sequence number.
/// It travels between nodes as one pub/sub message, the envelope: one header line of
/// tab-separated fields (kind, target, room, excluded, class, epoch, offset, sequence,
/// created-at, placed-at, key length), the latest-class key, then the encoded frame. "Excluded"
/// is the connection a push leaves out and, after a unit separator (0x1F), that connection's
/// session (as the room's stream keeps it, field `x`).
struct PlacedPush: Sendable {
    /// `r` a room (or a user's room), `c` one connection, `e` every node's connections,
    /// `d` close a user's connections (the frame is the reason).
    var kind: UInt8
    var target: String
    var room: String
    /// The connection left out, if any.
    var excludedConnection: ConnectionID?
    /// The session of the connection left out, when the publishing node knew it.
    var excludedSession: String?
    /// `r` reliable, `l` latest, `v` volatile.
    var deliveryClass: UInt8
    var epoch: UInt32
    var offset: UInt64
    var sequence: UInt64
    var createdAt: Int64
    var placedAt: Int64
    var key: String
    var frame: [UInt8]

    /// Reads an envelope; `nil` when it is not one.
    init?(envelope bytes: [UInt8]) {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let fields = bytes[..<newline].split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 11, let kind = fields[0].utf8.first, let deliveryClass = fields[4].utf8.first,
            let epoch = UInt32(fields[5]), let offset = UInt64(fields[6]), let sequence = UInt64(fields[7]),
            let createdAt = Int64(fields[8]), let placedAt = Int64(fields[9]), let keyLength = Int(fields[10]),
            keyLength >= 0, bytes.count - newline - 1 >= keyLength
        else { return nil }
        let keyStart = newline + 1
        self.init(
            kind: kind, target: fields[1], room: fields[2], excluded: fields[3], deliveryClass: deliveryClass, epoch: epoch, offset: offset,
            sequence: sequence, createdAt: createdAt, placedAt: placedAt,
            key: String(decoding: bytes[keyStart..<(keyStart + keyLength)], as: UTF8.self), frame: Array(bytes[(keyStart + keyLength)...])
        )
    }

    /// A placed push; `excluded` is the field as sent (``excluded(connection:session:)``).
    init(
        kind: UInt8, target: String, room: String, excluded: String, deliveryClass: UInt8, epoch: UInt32, offset: UInt64,
        sequence: UInt64, createdAt: Int64, placedAt: Int64, key: String, frame: [UInt8]
    ) {
        self.kind = kind
        self.target = target
        self.room = room
        let parts = excluded.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
        self.excludedConnection = parts.first.flatMap { $0.isEmpty ? nil : ConnectionID(String($0)) }
        self.excludedSession = parts.count == 2 && !parts[1].isEmpty ? String(parts[1]) : nil
        self.deliveryClass = deliveryClass
        self.epoch = epoch
        self.offset = offset
        self.sequence = sequence
        self.createdAt = createdAt
        self.placedAt = placedAt
        self.key = key
        self.frame = frame
    }

    /// The `excluded` field for a push that leaves out `connection`, of `session`: the
    /// connection's id, then a unit separator (0x1F) and the session when known.
    static func excluded(connection: ConnectionID?, session: String?) -> String {
        guard let connection else { return "" }
        guard let session else { return connection.rawValue }
        return connection.rawValue + "\u{1F}" + session
    }

    /// Whether it was kept in its room's stream.
    var isKept: Bool { deliveryClass != UInt8(ascii: "v") && !room.isEmpty }

    /// The frame with its room position written in (reliable pushes only), and its history
    /// entry when it is kept.
    func positioned() -> (frame: [UInt8], entry: SharedHistory.Entry?) {
        var frame = self.frame
        guard isKept else { return (frame, nil) }
        let reliable = deliveryClass == UInt8(ascii: "r")
        if reliable { FrameCodec.setPushPosition(epoch: epoch, offset: offset, in: &frame) }
        let entry = SharedHistory.Entry(
            offset: reliable ? offset : 0, key: reliable ? nil : key, position: offset, sequence: sequence,
            appendedAt: placedAt, frame: frame, excludedSession: excludedSession
        )
        return (frame, entry)
    }

    /// This node's delivery of it: the shared history copy updated first (a push it already
    /// holds is not delivered again), then the recipients here. A reliable push past the copy's
    /// next offset is ``PlacedDelivery/gap(after:)`` (nothing delivered) unless `acceptingGap`.
    /// Call under the publisher's lock.
    func delivery<Handle: Sendable>(on publisher: PushPublisher<Handle>, acceptingGap: Bool = false) -> PlacedDelivery<Handle> {
        let (frame, entry) = positioned()
        let roomName = RoomName(room)
        if let entry {
            switch publisher.history.appendShared(entry, epoch: epoch, to: roomName, acceptingGap: acceptingGap) {
            case .duplicate: return .ready(nil)
            case .gap(let after): return .gap(after: after)
            case .appended, .untracked: break
            }
        }
        var recipients: [Recipient<Handle>]
        switch kind {
        case UInt8(ascii: "r"):
            recipients = publisher.recipients(ofRoom: roomName, excluding: excludedConnection)
        case UInt8(ascii: "c"):
            let id = ConnectionID(target)
            recipients = publisher.connections.get(id).map { [Recipient(id: id, handle: $0.handle)] } ?? []
        default:
            recipients = publisher.connections.allRecipients(excluding: excludedConnection)
        }
        // A member left out of a reliable room push gets its position instead, as on one node.
        var notice: PositionNotice<Handle>?
        if kind == UInt8(ascii: "r"), deliveryClass == UInt8(ascii: "r"), let excludedConnection {
            notice = publisher.positionNotice(for: excludedConnection, in: roomName, at: RoomPosition(epoch: epoch, offset: offset))
        }
        guard !recipients.isEmpty || notice != nil else { return .ready(nil) }
        let latestKey = deliveryClass == UInt8(ascii: "l") ? room + "|" + key : nil
        return .ready(PushDelivery(
            bytes: frame, recipients: recipients, createdAt: createdAt, latestKey: latestKey, historyRoom: isKept ? room : nil,
            positionNotice: notice
        ))
    }
}

/// What a node does with a ``PlacedPush``.
enum PlacedDelivery<Handle: Sendable> {
    /// Deliver this (`nil`: nothing to deliver here).
    case ready(PushDelivery<Handle>?)
    /// The node's copy of the room's history stops at offset `after`, before this push: the
    /// pushes between must be delivered first.
    case gap(after: UInt64)
}
