import NIOCore
import NIOWebSocket

/// Keeps `inflight` requests in flight on one WebSocket (closed loop: each response sends the
/// next request on its slot) and records throughput and latency; with `inflight` 0, or before
/// ``start()``, it only keeps the connection alive (answers pings), which the idle mode uses.
///
/// Everything runs on the connection's event loop; requests written while handling a read
/// burst are flushed once, in `channelReadComplete`.
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Room left in front of each request so that the frame encoder prepends the WebSocket
    /// header in place (at most 14 bytes) instead of writing a separate buffer.
    private static let headroom = 14
    private static let idOffset = 2
    private static let slotBits: UInt32 = 16

    private let template: [UInt8]
    private let inflight: Int
    private let phase: LoadPhase
    private let maskKey: WebSocketMaskingKey
    private var context: ChannelHandlerContext?
    private var outstandingID: [UInt32]
    private var busy: [Bool]
    private var sentAt: [UInt64]
    private var busyCount = 0
    private var needsFlush = false
    private var stopped = false
    private(set) var stats = ConnectionStats()

    /// - Parameters:
    ///   - template: One encoded request frame; its id bytes (2..<6) are overwritten per request.
    ///   - inflight: Requests kept in flight (at most 65,536).
    ///   - phase: The run's phase, shared by all connections.
    init(template: [UInt8], inflight: Int, phase: LoadPhase) {
        precondition(template.count >= Self.idOffset + 4 && inflight <= 1 << Int(Self.slotBits))
        self.template = template
        self.inflight = inflight
        self.phase = phase
        self.maskKey = .random()
        self.outstandingID = Array(repeating: 0, count: inflight)
        self.busy = Array(repeating: false, count: inflight)
        self.sentAt = Array(repeating: 0, count: inflight)
    }

    /// Whether requests are still in flight.
    var isDrained: Bool { busyCount == 0 }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Fills every slot with a request.
    func start() {
        guard let context, !stopped else { return }
        for slot in 0..<inflight { send(slot: slot, context: context) }
        context.flush()
        needsFlush = false
    }

    /// Closes the connection with a close frame (1000).
    func close() {
        guard let context else { return }
        stopped = true
        var body = context.channel.allocator.buffer(capacity: 2)
        body.write(webSocketErrorCode: .normalClosure)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskKey, data: body)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(Self.wrapOutboundOut(frame)).whenComplete { _ in bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .text:
            receive(frame.unmaskedData, context: context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: maskKey, data: frame.unmaskedData)
            context.write(Self.wrapOutboundOut(pong), promise: nil)
            needsFlush = true
        case .connectionClose:
            if !stopped { stats.disconnected += 1 }
            stopped = true
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !stopped && phase.value != .stopping { stats.disconnected += 1 }
        stopped = true
        busyCount = 0
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func receive(_ reply: ByteBuffer, context: ChannelHandlerContext) {
        let now = NIODeadline.now().uptimeNanoseconds
        guard let kind = reply.getInteger(at: reply.readerIndex, as: UInt8.self),
              let status = reply.getInteger(at: reply.readerIndex + 1, as: UInt8.self),
              let id = reply.getInteger(at: reply.readerIndex + Self.idOffset, as: UInt32.self)
        else {
            stats.unexpectedReplies += 1
            return
        }
        // A Switchboard server's HELLO (0x40), its first frame on every connection, answers no request.
        if kind == 0x40 { return }
        let slot = Int(id & (1 << Self.slotBits - 1))
        guard slot < inflight, busy[slot], outstandingID[slot] == id else {
            stats.unexpectedReplies += 1
            return
        }
        busy[slot] = false
        busyCount -= 1
        // 0x11 is an error frame; 0x10 a response whose status byte is class << 5 | rest.
        if kind == 0x11 || (kind == 0x10 && status >> 5 != 2) { stats.errorReplies += 1 }
        switch phase.value {
        case .warmingUp:
            send(slot: slot, context: context)
        case .measuring:
            stats.completed += 1
            stats.latency.record(now &- sentAt[slot])
            send(slot: slot, context: context)
        case .stopping:
            break
        }
    }

    private func send(slot: Int, context: ChannelHandlerContext) {
        guard !stopped else { return }
        let id = (outstandingID[slot] &+ (1 << Self.slotBits)) & ~(1 << Self.slotBits - 1) | UInt32(slot)
        var buffer = context.channel.allocator.buffer(capacity: Self.headroom + template.count)
        buffer.moveWriterIndex(forwardBy: Self.headroom)
        buffer.moveReaderIndex(forwardBy: Self.headroom)
        buffer.writeBytes(template)
        buffer.setInteger(id, at: Self.headroom + Self.idOffset)
        outstandingID[slot] = id
        busy[slot] = true
        busyCount += 1
        sentAt[slot] = NIODeadline.now().uptimeNanoseconds
        context.write(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, maskKey: maskKey, data: buffer)), promise: nil)
        needsFlush = true
    }
}

@available(*, unavailable)
extension LoadConnectionHandler: Sendable {}
