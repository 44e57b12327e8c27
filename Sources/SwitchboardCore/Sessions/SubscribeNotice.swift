import Foundation

/// The data of a SUBSCRIBE frame: `{"epoch":3,"offset":12,"room":"board-7"}`, the connection's
/// position in a room: the room a request subscribed to (id = the request's), or, with id 0,
/// the room a reliable push left the connection out of (PROTOCOL.md §4, §7).
public struct SubscribeNotice: Sendable, Hashable, Codable {
    /// The room.
    public var room: String
    /// Its epoch.
    public var epoch: UInt32
    /// The offset the connection is at: the room's latest when it joined, or the offset of the
    /// push it was left out of.
    public var offset: UInt64

    /// A notice.
    public init(room: String, epoch: UInt32, offset: UInt64) {
        self.room = room
        self.epoch = epoch
        self.offset = offset
    }

    /// The notice as JSON, keys sorted (built directly: it is made for every excluded push).
    public var json: [UInt8] {
        Array("{\"epoch\":\(epoch),\"offset\":\(offset),\"room\":\(JSONText.string(room))}".utf8)
    }

    /// The SUBSCRIBE frame carrying the notice, with `id` (0: not the answer to a request).
    public func frame(id: UInt32 = 0) -> Frame {
        .control(ControlFrame(kind: .subscribe, id: id, data: json[...]))
    }

    /// ``frame(id:)``, encoded.
    public func encodedFrame(id: UInt32 = 0) -> [UInt8] {
        // A control frame with an empty url cannot fail to encode.
        (try? FrameCodec.encode(frame(id: id))) ?? []
    }
}

/// Encodes the session frames' JSON: keys sorted, slashes unescaped.
enum JSONShapes {
    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
    }
}
