import NIOCore

/// The `101 Switching Protocols` answer that opens a WebSocket, written straight into the
/// connection's first outbound buffer (no HTTP encoder): status line, `Upgrade: websocket`,
/// `Connection: Upgrade`, `Sec-WebSocket-Accept`, then the subprotocol, the effective client id
/// and the negotiated extensions when there are any.
struct SwitchingProtocols {
    /// The value RFC 6455 appends to the client's key before hashing it.
    static let keyGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The client's `Sec-WebSocket-Key` (checked before: 16 base64-encoded bytes).
    var key: String
    /// `Sec-WebSocket-Protocol`, when one was chosen.
    var subprotocol: String?
    /// `Switchboard-Client-Id`, the effective client id of an accepted connection.
    var clientId: String?
    /// `Sec-WebSocket-Extensions`, when compression was negotiated.
    var extensions: String?

    /// `Sec-WebSocket-Accept` for `key`: the base64 form of SHA-1(key + ``keyGUID``).
    static func accept(forKey key: String) -> String {
        base64(SHA1.digest(Array((key + keyGUID).utf8)))
    }

    /// The answer's bytes, appended to `buffer`.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
        buffer.writeString(Self.accept(forKey: key))
        if let subprotocol { writeHeader("Sec-WebSocket-Protocol", subprotocol, into: &buffer) }
        if let clientId { writeHeader(ClientIdAssignment.header, clientId, into: &buffer) }
        if let extensions { writeHeader("Sec-WebSocket-Extensions", extensions, into: &buffer) }
        buffer.writeStaticString("\r\n\r\n")
    }

    private func writeHeader(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\r\n")
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with `=` padding.
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                out.append(position <= count ? alphabet[Int(group >> UInt32(18 - 6 * position) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
