import CompressNIO
import NIOCore
import Switchboard

/// One room member on the client side: writes the WebSocket handshake, then counts the pushes
/// it receives, reading only each message's frame kind (a batch counts its inner frames).
///
/// Server frames are unmasked; the parser reads the WebSocket header (RFC 6455 §5.2) straight
/// from the bytes, without NIO's frame decoder, so the client spends as little of the shared
/// CPU as it can. With `offersDeflate` the handshake offers permessage-deflate without context
/// takeover either way, the server's answer must accept it with `server_no_context_takeover`,
/// and of a compressed message (RSV1) only the first bytes are inflated, with a fresh inflater
/// each time. The first compressed push a member receives is inflated whole instead, decoded
/// with `FrameCodec` and compared with the push the server was given (`expectedBody`), so the
/// bytes counted are known to carry it.
final class MemberHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let pushKind: UInt8 = 0x20
    private static let batchKind: UInt8 = 0x30

    private let counter: DeliveryCounter
    private let upgraded: EventLoopPromise<Void>
    private let request: String
    private var isUpgraded = false
    private var settled = false
    private var pending: ByteBuffer?
    private var inflater: ZlibDecompressor?
    private var head = ByteBuffer()
    /// The push body every broadcast carries, checked against this member's first compressed push.
    private let expectedBody: [UInt8]
    private var checkedInflated = false
    /// Pushes this member received.
    private(set) var received = 0

    init(counter: DeliveryCounter, upgraded: EventLoopPromise<Void>, host: String, port: Int, offersDeflate: Bool, expectedBody: [UInt8]) {
        self.counter = counter
        self.expectedBody = expectedBody
        self.upgraded = upgraded
        self.request = "GET /ws HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: switchboard.v1\r\n"
            + (offersDeflate ? "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n" : "") + "\r\n"
        self.inflater = offersDeflate ? try? ZlibDecompressor(algorithm: .deflate, windowSize: 15) : nil
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var earlier = pending {
            earlier.writeBuffer(&buffer)
            buffer = earlier
            pending = nil
        }
        if !isUpgraded {
            guard readHandshakeAnswer(&buffer, context: context) else { return }
        }
        count(&buffer)
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            pending = buffer
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        settle(.failure(ChannelError.inputClosed))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settle(.failure(error))
        context.close(promise: nil)
    }

    /// Consumes the HTTP answer; `false` while it is incomplete or when it is not a 101.
    private func readHandshakeAnswer(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) -> Bool {
        let view = buffer.readableBytesView
        var end: Int?
        var index = view.startIndex
        while index + 3 < view.endIndex {
            if view[index] == 13, view[index + 1] == 10, view[index + 2] == 13, view[index + 3] == 10 {
                end = index + 4 - view.startIndex
                break
            }
            index += 1
        }
        guard let end else {
            pending = buffer
            return false
        }
        let head = buffer.readString(length: end) ?? ""
        guard head.hasPrefix("HTTP/1.1 101") else {
            settle(.failure(HandshakeRefused(answer: String(head.prefix(200)))))
            context.close(promise: nil)
            return false
        }
        if inflater != nil {
            // Without the extension in force the frames would come uncompressed and the bytes
            // counted would not be the compressed ones.
            let lines = head.lowercased().split(separator: "\r\n")
            let accepted = lines.contains { $0.hasPrefix("sec-websocket-extensions:") && $0.contains("permessage-deflate") && $0.contains("server_no_context_takeover") }
            guard accepted else {
                settle(.failure(HandshakeRefused(answer: "permessage-deflate without server_no_context_takeover not in the answer: " + String(head.prefix(300)))))
                context.close(promise: nil)
                return false
            }
        }
        isUpgraded = true
        settle(.success(()))
        return true
    }

    /// Counts the complete WebSocket messages in `buffer`, leaving a partial one unread.
    private func count(_ buffer: inout ByteBuffer) {
        var deliveries = 0
        var messages = 0
        var bytes = 0
        var wireBytes = 0
        var compressed = 0
        while buffer.readableBytes >= 2 {
            let start = buffer.readerIndex
            guard let first = buffer.getInteger(at: start, as: UInt8.self),
                  let second = buffer.getInteger(at: start + 1, as: UInt8.self) else { break }
            var header = 2
            var length = Int(second & 0x7F)
            if length == 126 {
                guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { break }
                length = Int(extended)
                header = 4
            } else if length == 127 {
                guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { break }
                length = Int(extended)
                header = 10
            }
            if second & 0x80 != 0 { header += 4 }
            guard buffer.readableBytes >= header + length else { break }
            let opcode = first & 0x0F
            if first & 0x40 != 0, opcode == 0x2, length > 0, let payload = buffer.getSlice(at: start + header, length: length), let (kind, inner) = peek(payload) {
                messages += 1
                compressed += 1
                bytes += length
                wireBytes += header + length
                if kind == Self.pushKind, !checkedInflated {
                    checkedInflated = true
                    counter.recordInflateCheck(matched: inflatesToPush(payload))
                }
                deliveries += kind == Self.pushKind ? 1 : (kind == Self.batchKind ? inner : 0)
            } else if opcode == 0x2, length > 0, let kind = buffer.getInteger(at: start + header, as: UInt8.self) {
                messages += 1
                bytes += length
                wireBytes += header + length
                if kind == Self.pushKind {
                    deliveries += 1
                } else if kind == Self.batchKind, let inner = buffer.getInteger(at: start + header + 2, as: UInt32.self) {
                    deliveries += Int(inner)
                }
            }
            buffer.moveReaderIndex(forwardBy: header + length)
        }
        received += deliveries
        counter.add(deliveries: deliveries, messages: messages, compressedMessages: compressed, payloadBytes: bytes, wireBytes: wireBytes)
    }

    /// The kind byte and the batch count (bytes 2…5) of a compressed message, inflating only
    /// its first bytes.
    private func peek(_ payload: ByteBuffer) -> (UInt8, Int)? {
        guard let inflater else { return nil }
        var input = payload
        input.writeBytes([0x00, 0x00, 0xFF, 0xFF])
        head.clear(minimumCapacity: 8)
        defer { try? inflater.reset() }
        do {
            try inflater.inflate(from: &input, to: &head)
        } catch {
            // Output full (we asked for 8 bytes only) or input used up: both leave `head` usable.
        }
        guard let kind = head.getInteger(at: head.readerIndex, as: UInt8.self) else { return nil }
        return (kind, head.getInteger(at: head.readerIndex + 2, as: UInt32.self).map(Int.init) ?? 0)
    }

    /// Whether the compressed message `payload` inflates whole to a push frame to
    /// `FanoutPush.url` in room `FanoutPush.room` whose body is `expectedBody`.
    private func inflatesToPush(_ payload: ByteBuffer) -> Bool {
        guard let inflater else { return false }
        var input = payload
        input.writeBytes([0x00, 0x00, 0xFF, 0xFF])
        // Room for the frame and more, so that a longer one shows as a mismatch, not a cut.
        var output = ByteBuffer()
        output.reserveCapacity(expectedBody.count + 1024)
        defer { try? inflater.reset() }
        do {
            try inflater.inflate(from: &input, to: &output)
        } catch {
            return false
        }
        guard input.readableBytes == 0, case .push(let frame)? = try? FrameCodec.decode(Array(output.readableBytesView)) else { return false }
        return frame.url == FanoutPush.url && frame.room == FanoutPush.room.rawValue && frame.data.elementsEqual(expectedBody)
    }

    private func settle(_ result: Result<Void, any Error>) {
        guard !settled else { return }
        settled = true
        upgraded.completeWith(result)
    }
}

/// The server answered the handshake with something else than 101.
struct HandshakeRefused: Error, CustomStringConvertible {
    var answer: String
    var description: String { "handshake refused: \(answer)" }
}
