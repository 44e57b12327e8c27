import Switchboard

/// The push every broadcast sends: a `payload`-byte body to `/fanout` in room `fanout`.
enum FanoutPush {
    static let room: RoomName = "fanout"
    static let url = "/fanout"

    /// A body of `size` bytes.
    static func body(size: Int) -> [UInt8] {
        let alphabet = Array("0123456789abcdef".utf8)
        return (0..<size).map { alphabet[$0 % alphabet.count] }
    }

    /// The push frame's size on the wire (inside one binary WebSocket message).
    static func frameSize(payload: Int) -> Int {
        FrameCodec.encodedSize(of: .push(PushFrame(url: url, room: room.rawValue, data: body(size: payload)[...])))
    }
}
