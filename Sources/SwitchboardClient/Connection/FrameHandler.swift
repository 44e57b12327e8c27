import NIOCore
import NIOWebSocket
import SwitchboardCore
import SwitchboardDeflate

/// The per-connection frame path, on the event loop: decodes each binary WebSocket message
/// into a ``Frame`` (unpacking batches in order), answers pings, echoes the server's close, and
/// runs the heartbeat that takes a silent connection for dead.
final class FrameHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let sink: any FrameSink
    private let generation: Int
    private let heartbeat: (interval: TimeAmount, timeout: TimeAmount)?
    private let observer: (@Sendable (FrameDirection, Frame) -> Void)?
    private var lastRead = NIODeadline.now()
    private var heartbeatTask: RepeatedTask?
    private var closeSent = false

    init(sink: any FrameSink, generation: Int, configuration: ClientConfiguration) {
        self.sink = sink
        self.generation = generation
        self.heartbeat = configuration.heartbeatInterval.map { (TimeAmount($0), TimeAmount(configuration.heartbeatTimeout)) }
        self.observer = configuration.frameObserver
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastRead = context.eventLoop.now
        guard let heartbeat else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        // Checked twice per interval, so a ping leaves at most half an interval late.
        let tick = TimeAmount.nanoseconds(max(heartbeat.interval.nanoseconds / 2, 1_000_000))
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            let (handler, context) = loopBound.value
            handler.heartbeatTick(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        heartbeatTask?.cancel()
        heartbeatTask = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        lastRead = context.eventLoop.now
        switch frame.opcode {
        case .binary:
            deliver(frame.unmaskedData)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            if closeSent {
                context.close(promise: nil)
            } else {
                closeSent = true
                var echo = frame.unmaskedData
                let code = echo.readSlice(length: min(2, echo.readableBytes)) ?? context.channel.allocator.buffer(capacity: 0)
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)))
                    .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        default:
            // Text messages are not part of the protocol; pongs only count as traffic.
            break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            closeSent = true
        case .binary:
            if let observer, let decoded = try? FrameCodec.decode(Array(frame.data.readableBytesView)) {
                observer(.sent, decoded)
            }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        heartbeatTask?.cancel()
        heartbeatTask = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A compressed message that inflates too far (1009) or is corrupt (1007) is failed with
        // a close frame saying so; anything else just drops the connection.
        guard let error = error as? PerMessageDeflateError, !closeSent else {
            context.close(promise: nil)
            return
        }
        closeSent = true
        var code = context.channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: error.closeCode)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func deliver(_ buffer: ByteBuffer) {
        let frame: Frame
        do {
            frame = try FrameCodec.decode(Array(buffer.readableBytesView))
        } catch {
            // An undecodable message is dropped: it cannot be matched to a request or listener.
            return
        }
        observer?(.received, frame)
        if case .batch(let frames) = frame {
            for inner in frames { sink.received(inner, generation: generation) }
        } else {
            sink.received(frame, generation: generation)
        }
    }

    private func heartbeatTick(context: ChannelHandlerContext) {
        guard let heartbeat else { return }
        let silent = context.eventLoop.now - lastRead
        if silent >= heartbeat.timeout {
            context.close(promise: nil)
        } else if silent >= heartbeat.interval {
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: context.channel.allocator.buffer(capacity: 0))), promise: nil)
        }
    }
}

@available(*, unavailable)
extension FrameHandler: Sendable {}

extension TimeAmount {
    /// `duration` in NIO's unit (nanoseconds).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
