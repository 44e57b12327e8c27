import SwitchboardCore
import SwitchboardRedis

/// One entry of a room's stream `stream:<room>` as the publish script appends it: `o` the
/// reliable offset (0 for a latest-class push), `p` the room's offset when appended, `s` the
/// append sequence number, `k` the latest-class key, `t` when it was placed (ms), `x` the
/// connection the push left out and its session (``PlacedPush/excluded(connection:session:)``;
/// empty for none), `f` the frame as published (no position written in).
struct StreamEntry: Sendable {
    var offset: UInt64
    var position: UInt64
    var sequence: UInt64
    var key: String
    var placedAt: Int64
    var excluded: String
    var frame: [UInt8]

    /// Reads one `XRANGE` item (`[id, [field, value, …]]`); `nil` when it is not one.
    init?(_ item: RESPValue) {
        guard let pair = item.elements, pair.count == 2, let fields = pair[1].elements else { return nil }
        var values: [String: RESPValue] = [:]
        var index = 0
        while index + 1 < fields.count {
            if let name = fields[index].string { values[name] = fields[index + 1] }
            index += 2
        }
        guard let offset = values["o"]?.string.flatMap({ UInt64($0) }), let position = values["p"]?.string.flatMap({ UInt64($0) }),
            let sequence = values["s"]?.string.flatMap({ UInt64($0) }), let placedAt = values["t"]?.string.flatMap({ Int64($0) }),
            case .bulkString(let frame?) = values["f"]
        else { return nil }
        self.offset = offset
        self.position = position
        self.sequence = sequence
        self.key = values["k"]?.string ?? ""
        self.placedAt = placedAt
        self.excluded = values["x"]?.string ?? ""
        self.frame = frame
    }

    /// The push it keeps, as if Redis had just placed it for `room`'s members.
    func placed(in room: String, epoch: UInt32) -> PlacedPush {
        PlacedPush(
            kind: UInt8(ascii: "r"), target: room, room: room, excluded: excluded,
            deliveryClass: offset > 0 ? UInt8(ascii: "r") : UInt8(ascii: "l"), epoch: epoch, offset: offset > 0 ? offset : position,
            sequence: sequence, createdAt: placedAt, placedAt: placedAt, key: key, frame: frame
        )
    }
}
