import Switchboard

/// The push every broadcast sends: a `payload`-byte body to `/fanout` in room `fanout`.
enum FanoutPush {
    static let room: RoomName = "fanout"
    static let url = "/fanout"

    /// A body of `size` bytes of `kind`.
    static func body(size: Int, kind: BodyKind = .hex) -> [UInt8] {
        switch kind {
        case .hex:
            let alphabet = Array("0123456789abcdef".utf8)
            return (0..<size).map { alphabet[$0 % alphabet.count] }
        case .json:
            // Cards as a board's list would hold them; cut to `size` and closed with spaces.
            var text = "["
            var index = 0
            while text.utf8.count < size {
                let owner = ["ana", "bo", "chen", "dara", "eli"][index % 5]
                let state = ["open", "doing", "done"][index % 3]
                text += (index == 0 ? "" : ",")
                    + #"{"id":\#(4711 + index * 37),"title":"Card \#(index): review \#(owner)'s draft","owner":"\#(owner)","#
                    + #""state":"\#(state)","points":\#(index % 8 + 1),"updatedAt":\#(1_796_208_518_512 + index * 9_173)}"#
                index += 1
            }
            var bytes = Array(text.utf8.prefix(max(size - 1, 0)))
            if size > 0 { bytes.append(UInt8(ascii: "]")) }
            return bytes
        }
    }

    /// The push frame's size on the wire (inside one binary WebSocket message, uncompressed).
    static func frameSize(payload: Int, kind: BodyKind = .hex) -> Int {
        FrameCodec.encodedSize(of: .push(PushFrame(url: url, room: room.rawValue, data: body(size: payload, kind: kind)[...])))
    }
}
