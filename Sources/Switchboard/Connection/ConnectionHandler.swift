import Logging
import NIOCore
import NIOWebSocket
import SwitchboardDeflate

/// The per-frame path of one WebSocket connection, on its event loop: it wires the parts that
/// do the work and carries out the actions they answer with.
///
/// - ``MessageAssembler``: client frames in, whole messages (or a close) out.
/// - the inbound path (`ConnectionHandler+Frames`): frames (handed over directly by the
///   ``WebSocketFrameReader`` when nothing sits between the two) decoded and dispatched;
///   requests answered inline (``Dispatch/completed(_:)``) are written at once and flushed at
///   the end of the read burst; the others (``Dispatch/pending(_:)``) run in a task that starts
///   at once and prefers this connection's event loop (``EventLoopExecutor``): one that answers
///   without suspending is written like an inline reply, one that suspends is kept by
///   ``PendingRequests`` with its deadline.
/// - ``PushOutbox`` (in ``Connection``): pushes queued from any thread, written once per
///   event-loop tick as one message, and before any response written in the meantime.
/// - ``FrameWriter``: frames written (a push's shared frame as it is), held while the channel is
///   not writable, flushes coalesced; a slow consumer's held frames are dropped by its close.
/// - ``ConnectionStateMachine``: the limits and the close handshake.
final class ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler, PingTimerMember {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Close code 1013, "try again later": overloaded, or a slow consumer (PROTOCOL.md §5).
    static let tryAgainLater = WebSocketErrorCode(codeNumber: 1013)

    let connection: Connection
    let components: ServerComponents
    /// Whether a ``PerMessageDeflateHandler`` sits between this handler and the frame codec.
    let isCompressed: Bool
    var machine: ConnectionStateMachine
    var assembler: MessageAssembler
    var context: ChannelHandlerContext?
    /// Writes frames and flushes; set while the handler is in the pipeline.
    var writer: FrameWriter?
    /// The pushes taken from the connection's queue for the write under way (kept empty, with
    /// its capacity, between writes).
    var taken: [QueuedPush<ServerFrame>] = []
    var readHeld = false
    /// The ping timer of this connection's event loop; `nil` when pings are off.
    var pingTimer: PingTimer?
    var pingTimerSlot: Int?
    var closeTimeout: Scheduled<Void>?
    /// Where pending requests' tasks prefer to run: this connection's event loop, unless
    /// ``Configuration/runsAsyncHandlersOnEventLoop`` is off.
    var executor: EventLoopExecutor?
    /// The requests whose replies are awaited, expired when the connection closes; made with
    /// the first one.
    var pending: PendingRequests?
    /// Where the connection's own rooms' histories stood when it connected: a RESUME does not
    /// replay what reached it live since.
    var liveSince = RoomMarks()
    /// Whether a RESUME may still come: only as the first frame the client sends.
    var resumeAllowed = true
    /// Whether the close under way ends the session (a deliberate close) rather than parking
    /// it for a resume.
    var endsSession = false
    init(connection: Connection, components: ServerComponents, isCompressed: Bool) {
        self.connection = connection
        self.components = components
        self.isCompressed = isCompressed
        self.machine = ConnectionStateMachine(configuration: components.configuration)
        self.assembler = MessageAssembler(maxMessageSize: components.configuration.maxMessageSize, maxFragments: components.configuration.maxFragmentsPerMessage)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        executor = components.executors?.value(on: context.eventLoop)
        writer = FrameWriter(context: context, isCompressed: isCompressed, metrics: components.observer.metrics, maxOutboundBufferSize: components.configuration.maxOutboundBufferSize)
        connection.attach(self)
        components.observer.metrics.openConnections.increment()
        let identity = connection.identity
        components.registry.add(id: connection.id, handle: connection, clientId: connection.clientId, userId: identity?.userId, expiresAt: identity?.expiresAt)
        let accepting = components.slots.isAccepting
        let greeting = components.sessions.open(connection.id, userId: identity?.userId)
        liveSince = components.publisher.connect(connection)
        writeHello(greeting)
        components.logger.debug("connection opened", metadata: ["connection": "\(connection.id)", "user": "\(identity?.userId ?? "-")"])
        pingTimer = components.pingTimers?.value(on: context.eventLoop)
        pingTimer?.add(self)
        if !accepting { beginShutdown() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        self.context = nil
        writer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    private func tearDown() {
        guard machine.state != .closed else { return }
        machine.channelClosed()
        pingTimer?.remove(self)
        pingTimer = nil
        closeTimeout?.cancel()
        closeTimeout = nil
        let abandoned = pending?.removeAll() ?? []
        components.observer.metrics.requestsInFlight.decrement(by: Double(abandoned.count))
        for request in abandoned {
            request.reply.expire()
            request.observation?.abandoned()
        }
        connection.detach()
        components.observer.metrics.openConnections.decrement()
        connection.closeOutbox()
        if endsSession {
            components.sessions.end(connection.id)
        } else {
            let isActive = components.registry.get(connection.id)?.isActive ?? true
            components.sessions.park(connection.id, rooms: components.rooms.rooms(of: connection.id), isActive: isActive)
        }
        components.registry.remove(connection.id)
        components.rooms.disconnect(connection.id)
        // A random client room is never joined or resumed again: its history goes with it.
        let clientRoom = connection.clientRoom
        if clientRoom.isRandomClientRoom { components.publisher.history.discard(clientRoom) }
        writer?.dropHeld()
        components.perform(components.features.close(connection.id))
        components.logger.debug("connection closed", metadata: ["connection": "\(connection.id)"])
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received(Self.unwrapInboundIn(data))
    }

    /// A frame from the client: through the pipeline, or straight from the
    /// ``WebSocketFrameReader`` when nothing sits between the two.
    func received(_ frame: WebSocketFrame) {
        guard context != nil else { return }
        machine.heardFromPeer()
        switch assembler.received(frame) {
        case .deliver(let bytes, let isText):
            receiveMessage(bytes, isText: isText)
        case .awaitMore:
            break
        case .pong(let data):
            guard machine.canWrite else { return }
            writer?.writeControl(WebSocketFrame(fin: true, opcode: .pong, data: data))
        case .peerClosed(let frame):
            peerClosed(frame)
        case .fail(let code, let reason):
            close(code: code, reason: reason, andDisconnect: true)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writer?.flushIfNeeded()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let configuration = components.configuration
        switch error {
        case NIOWebSocketError.invalidFrameLength:
            close(code: .messageTooLarge, reason: "frame larger than \(configuration.maxFrameSize) bytes", andDisconnect: true)
        case is NIOWebSocketError:
            close(code: .protocolError, reason: "protocol error", andDisconnect: true)
        case let error as PerMessageDeflateError:
            close(code: error.closeCode, reason: error.reason, andDisconnect: true)
        default:
            components.logger.debug("connection error", metadata: ["connection": "\(connection.id)", "error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable || !machine.canWrite {
            context.read()
        } else {
            readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writer?.writeHeld()
            if readHeld {
                readHeld = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}
