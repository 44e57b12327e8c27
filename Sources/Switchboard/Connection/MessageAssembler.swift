import NIOCore
import NIOWebSocket

/// Turns a client's WebSocket frames into whole messages, as a pure state machine: every frame
/// is answered with an ``Action`` for the ``ConnectionHandler`` to carry out.
///
/// It checks what RFC 6455 asks of a client's frames (masked, no reserved bits without an
/// extension, continuation only inside a message), unmasks payloads and joins fragments,
/// bounded by ``Configuration/maxMessageSize`` and ``Configuration/maxFragmentsPerMessage``.
/// Control frames may come between fragments.
struct MessageAssembler {
    /// What to do with a frame.
    enum Action: Equatable {
        /// A whole message, unmasked.
        case deliver([UInt8], isText: Bool)
        /// A fragment was kept, or a pong heard: nothing to do yet.
        case awaitMore
        /// Answer a ping with a pong carrying this data.
        case pong(ByteBuffer)
        /// The peer sent a close frame.
        case peerClosed(WebSocketFrame)
        /// Close with this code and reason, and disconnect: the peer broke the protocol.
        case fail(WebSocketErrorCode, String)
    }

    /// The fragments of a message received so far, unmasked and joined.
    private struct Fragments {
        var isText: Bool
        var bytes: [UInt8] = []
        var count = 0
    }

    private let maxMessageSize: Int
    private let maxFragments: Int
    private var message: Fragments?

    init(maxMessageSize: Int, maxFragments: Int) {
        self.maxMessageSize = maxMessageSize
        self.maxFragments = maxFragments
    }

    /// A frame from the client.
    mutating func received(_ frame: WebSocketFrame) -> Action {
        // RFC 6455 §5.1: a server must close the connection on an unmasked client frame (NIO's
        // decoder accepts them).
        guard frame.maskKey != nil else { return .fail(.protocolError, "client frames must be masked") }
        guard frame.reservedBits.isEmpty else { return .fail(.protocolError, "reserved bits set without a negotiated extension") }
        switch frame.opcode {
        case .binary, .text:
            guard message == nil else { return .fail(.protocolError, "a new message began before the previous one ended") }
            if frame.fin { return .deliver(Self.payload(of: frame), isText: frame.opcode == .text) }
            return append(frame, to: Fragments(isText: frame.opcode == .text))
        case .continuation:
            guard let current = message else { return .fail(.protocolError, "a continuation frame without a message to continue") }
            message = nil
            return append(frame, to: current)
        case .ping:
            return .pong(frame.unmaskedData)
        case .pong:
            return .awaitMore
        case .connectionClose:
            return .peerClosed(frame)
        default:
            return .fail(.protocolError, "unexpected opcode")
        }
    }

    /// Adds a fragment: the last one delivers the whole message, the others keep it.
    private mutating func append(_ frame: WebSocketFrame, to current: Fragments) -> Action {
        var current = current
        current.count += 1
        guard current.count <= maxFragments else { return .fail(.messageTooLarge, "message in more than \(maxFragments) fragments") }
        guard current.bytes.count + frame.data.readableBytes <= maxMessageSize else {
            return .fail(.messageTooLarge, "message larger than \(maxMessageSize) bytes")
        }
        current.bytes += Self.payload(of: frame)
        guard frame.fin else {
            message = current
            return .awaitMore
        }
        return .deliver(current.bytes, isText: current.isText)
    }

    /// The frame's payload, unmasked, as one array (a request's body is a slice of it).
    static func payload(of frame: WebSocketFrame) -> [UInt8] {
        let count = frame.data.readableBytes
        return [UInt8](unsafeUninitializedCapacity: count) { bytes, initialized in
            frame.data.withUnsafeReadableBytes { source in
                guard let base = bytes.baseAddress, count > 0 else { return }
                guard let key = frame.maskKey else {
                    source.copyBytes(to: bytes)
                    return
                }
                let mask = (key[0], key[1], key[2], key[3])
                var index = 0
                while index + 4 <= count {
                    base[index] = source[index] ^ mask.0
                    base[index + 1] = source[index + 1] ^ mask.1
                    base[index + 2] = source[index + 2] ^ mask.2
                    base[index + 3] = source[index + 3] ^ mask.3
                    index += 4
                }
                while index < count {
                    let byte = index & 3 == 0 ? mask.0 : index & 3 == 1 ? mask.1 : mask.2
                    base[index] = source[index] ^ byte
                    index += 1
                }
            }
            initialized = count
        }
    }
}
