import Foundation

/// The data of a SUBSCRIBE frame: `{"epoch":3,"offset":12,"room":"board-7"}`, the position
/// of the room the request subscribed to (PROTOCOL.md §7).
public struct SubscribeNotice: Sendable, Hashable, Codable {
    /// The room.
    public var room: String
    /// Its epoch.
    public var epoch: UInt32
    /// Its latest offset when the connection joined.
    public var offset: UInt64

    /// A notice.
    public init(room: String, epoch: UInt32, offset: UInt64) {
        self.room = room
        self.epoch = epoch
        self.offset = offset
    }

    /// The notice as JSON, keys sorted.
    public var json: [UInt8] { JSONShapes.encode(self) }
}

/// Encodes the session frames' JSON: keys sorted, slashes unescaped.
enum JSONShapes {
    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
    }
}
