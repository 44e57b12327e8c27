import Logging
import NIOCore
import NIOWebSocket
import SwitchboardDeflate

/// The per-frame path of one WebSocket connection, on its event loop: decode, dispatch to the
/// responder, encode, write.
///
/// Requests answered inline (``Dispatch/completed(_:)``) are written at once; their flush is
/// coalesced to the end of the read burst. Requests whose handler must be awaited
/// (``Dispatch/pending(_:)``) each run in a task that prefers this connection's event loop
/// (``EventLoopExecutor``; see ``Configuration/runsAsyncHandlersOnEventLoop``), so their
/// answers are written without a thread hop; their deadlines are kept by one timer per
/// connection. Fragmented WebSocket messages are joined here (no frame aggregator on this
/// path). Pushes are queued and written once per event-loop tick, everything queued as one
/// message (``queuePush(_:)``), and before any response written in the meantime. While the
/// channel is not writable, messages wait in a queue of the handler's own, which a slow
/// consumer's close drops so that the close frame reaches the client. Limits come from
/// ``ConnectionStateMachine``.
final class ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The fragments of a message received so far, unmasked and joined.
    private struct FragmentedMessage {
        var isText: Bool
        var bytes: [UInt8] = []
        var fragments = 0
    }

    /// A message on its way out: framed by this handler (written below NIO's frame encoder,
    /// see ``writeBinary(_:)``) or a WebSocket frame for the encoder.
    private enum Outgoing {
        case framed(ByteBuffer)
        case frame(WebSocketFrame)

        var size: Int {
            switch self {
            case .framed(let buffer): buffer.readableBytes
            case .frame(let frame): frame.data.readableBytes + 10
            }
        }
    }

    /// A request whose reply is awaited, by a key of the connection's own (client ids may
    /// repeat).
    private struct PendingRequest {
        var reply: PendingReply
        var expiresAt: NIODeadline?
        var observation: RequestObservation?
    }

    /// Bytes reserved in front of every outbound payload we build, where ``writeBinary(_:)``
    /// writes the WebSocket frame header (at most 10 bytes for a server frame).
    private static let headerRoom = 10
    /// Close code 1013, "try again later": overloaded, or a slow consumer (PROTOCOL.md §5).
    private static let tryAgainLater = WebSocketErrorCode(codeNumber: 1013)
    /// How long to wait for the peer's close frame after sending ours.
    /// The encode buffer is kept between frames unless it grew beyond this.
    private static let scratchCapacityKept = 64 << 10

    private let connection: Connection
    private let components: ServerComponents
    private var machine: ConnectionStateMachine
    private var context: ChannelHandlerContext?
    private var needsFlush = false
    /// A WebSocket message arriving in fragments, until its last one.
    private var message: FragmentedMessage?
    private var flushScheduled = false
    private var readHeld = false
    private var pingTask: RepeatedTask?
    private var closeTimeout: Scheduled<Void>?
    private var scratch: [UInt8] = []
    /// The context of NIO's `WebSocketFrameEncoder`, below which ``writeBinary(_:)`` writes
    /// frames it has framed itself; `nil` without that encoder (unit tests).
    private var frameOutput: ChannelHandlerContext?
    /// Where pending requests' tasks prefer to run: this connection's event loop, unless
    /// ``Configuration/runsAsyncHandlersOnEventLoop`` is off.
    private var executor: EventLoopExecutor?
    /// The requests whose replies are awaited, expired when the connection closes.
    private var pending: [UInt64: PendingRequest] = [:]
    private var nextPendingKey: UInt64 = 0
    /// The timer that expires pending requests past their deadline, and when it fires.
    private var deadlineTimer: Scheduled<Void>?
    private var deadlineTimerFiresAt: NIODeadline?
    /// Where the connection's own rooms' histories stood when it connected: a RESUME does not
    /// replay what reached it live since.
    private var liveSince: [RoomName: HistoryMark] = [:]
    /// Whether a RESUME may still come: only as the first frame the client sends.
    private var resumeAllowed = true
    /// Whether the close under way ends the session (a deliberate close) rather than parking
    /// it for a resume.
    private var endsSession = false
    /// Messages held back while the channel is not writable, written in order once it is
    /// again; dropped when the connection is closed as a slow consumer.
    private var held = CircularBuffer<Outgoing>()
    private var heldBytes = 0 { didSet { components.observer.metrics.heldBytesChanged(from: oldValue, to: heldBytes) } }
    /// The features the handshake asked for, opened once the connection is registered.
    private let featureRequest: Result<FeatureHandshake, FeatureHandshakeError>

    init(connection: Connection, components: ServerComponents, features: Result<FeatureHandshake, FeatureHandshakeError>) {
        self.connection = connection
        self.components = components
        self.machine = ConnectionStateMachine(configuration: components.configuration)
        self.featureRequest = features
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if components.configuration.runsAsyncHandlersOnEventLoop { executor = EventLoopExecutor(context.eventLoop) }
        // A compressed connection's messages all go through its PerMessageDeflateHandler.
        let compressed = (try? context.pipeline.syncOperations.handler(type: PerMessageDeflateHandler.self)) != nil
        frameOutput = compressed ? nil : try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
        connection.attach(self)
        components.observer.metrics.openConnections.increment()
        let accepting = components.connections.add(connection)
        let identity = connection.identity
        components.registry.add(id: connection.id, handle: connection, clientId: connection.clientId, userId: identity?.userId, expiresAt: identity?.expiresAt)
        let greeting = components.sessions.open(connection.id, userId: identity?.userId)
        liveSince = components.publisher.connect(connection)
        writeHello(greeting)
        components.logger.debug("connection opened", metadata: ["connection": "\(connection.id)", "user": "\(identity?.userId ?? "-")"])
        openFeatures()
        if let interval = components.configuration.pingInterval {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            pingTask = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                handler.value.pingTick()
            }
        }
        if !accepting { beginShutdown() }
    }

    /// Opens the features asked for at the handshake, or closes with 1008 and the reason.
    private func openFeatures() {
        do throws(FeatureHandshakeError) {
            let handshake = try featureRequest.get()
            guard !handshake.requests.isEmpty else { return }
            components.perform(try components.features.open(handshake, for: connection, rooms: components.rooms))
        } catch {
            close(code: .policyViolation, reason: error.closeReason)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        self.context = nil
        frameOutput = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    private func tearDown() {
        guard machine.state != .closed else { return }
        machine.channelClosed()
        pingTask?.cancel()
        pingTask = nil
        closeTimeout?.cancel()
        closeTimeout = nil
        deadlineTimer?.cancel()
        deadlineTimer = nil
        let abandoned = pending.values
        pending.removeAll()
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
        components.connections.remove(connection.id)
        components.registry.remove(connection.id)
        components.rooms.disconnect(connection.id)
        held.removeAll()
        heldBytes = 0
        components.perform(components.features.close(connection.id))
        components.logger.debug("connection closed", metadata: ["connection": "\(connection.id)"])
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        machine.heardFromPeer()
        // RFC 6455 §5.1: a server must close the connection on an unmasked client frame (NIO's
        // decoder accepts them).
        guard frame.maskKey != nil else {
            return close(code: .protocolError, reason: "client frames must be masked", andDisconnect: true)
        }
        guard frame.reservedBits.isEmpty else {
            return close(code: .protocolError, reason: "reserved bits set without a negotiated extension", andDisconnect: true)
        }
        switch frame.opcode {
        case .binary, .text:
            guard message == nil else {
                return close(code: .protocolError, reason: "a new message began before the previous one ended", andDisconnect: true)
            }
            if frame.fin {
                receiveMessage(Self.payload(of: frame), isText: frame.opcode == .text)
            } else {
                append(frame, to: FragmentedMessage(isText: frame.opcode == .text))
            }
        case .continuation:
            guard let current = message else {
                return close(code: .protocolError, reason: "a continuation frame without a message to continue", andDisconnect: true)
            }
            message = nil
            append(frame, to: current)
        case .ping:
            guard machine.canWrite else { return }
            writeControl(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
        case .pong:
            break
        case .connectionClose:
            peerClosed(frame)
        default:
            close(code: .protocolError, reason: "unexpected opcode", andDisconnect: true)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded()
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

    /// Adds a fragment to `current`: the last one delivers the whole message, the others leave
    /// it in ``message``. Limits: ``Configuration/maxMessageSize`` and
    /// ``Configuration/maxFragmentsPerMessage`` (close 1009). Control frames may come between
    /// fragments.
    private func append(_ frame: WebSocketFrame, to current: FragmentedMessage) {
        var current = current
        let configuration = components.configuration
        current.fragments += 1
        guard current.fragments <= configuration.maxFragmentsPerMessage else {
            return close(code: .messageTooLarge, reason: "message in more than \(configuration.maxFragmentsPerMessage) fragments", andDisconnect: true)
        }
        guard current.bytes.count + frame.data.readableBytes <= configuration.maxMessageSize else {
            return close(code: .messageTooLarge, reason: "message larger than \(configuration.maxMessageSize) bytes", andDisconnect: true)
        }
        current.bytes += Self.payload(of: frame)
        guard frame.fin else {
            message = current
            return
        }
        receiveMessage(current.bytes, isText: current.isText)
    }

    /// A whole WebSocket message: binary ones carry frames of the protocol. Ignored once the
    /// connection is closing.
    private func receiveMessage(_ bytes: [UInt8], isText: Bool) {
        guard machine.canWrite else { return }
        if isText {
            malformed("text messages are not part of \(FrameCodec.subprotocol): send binary messages", id: 0)
        } else {
            receive(bytes)
        }
    }

    /// The frame's payload, unmasked, as one array (the request body is a slice of it).
    private static func payload(of frame: WebSocketFrame) -> [UInt8] {
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

    private func receive(_ bytes: [UInt8]) {
        if bytes.first == FrameKind.batch.byte { return receiveBatch(bytes) }
        let frame: Frame
        do {
            frame = try FrameCodec.decode(bytes)
        } catch {
            return rejected(bytes[...], reason: error.description)
        }
        handle(frame)
    }

    /// Processes a batch's inner frames one by one, in order, as if each had come alone: the
    /// unreadable ones are answered with an error each, then a framing problem (lengths
    /// running past the end, a wrong count) with one more (PROTOCOL.md §6).
    private func receiveBatch(_ bytes: [UInt8]) {
        let contents: BatchContents
        do {
            contents = try FrameCodec.decodeBatch(bytes[...])
        } catch {
            return malformed(error.description, id: 0)
        }
        for (index, entry) in contents.entries.enumerated() {
            guard machine.canWrite else { return }
            switch entry.frame {
            case .success(let frame): handle(frame)
            case .failure(let error): rejected(entry.bytes, reason: "batch frame \(index): \(error)")
            }
        }
        if let problem = contents.problem, machine.canWrite { malformed(problem.description, id: 0) }
    }

    /// A frame that could not be decoded: answered with an error carrying its id when its
    /// header was readable, except an ERROR frame, which is never answered (two peers would
    /// otherwise answer each other's errors); all count towards the flood limit.
    private func rejected(_ bytes: ArraySlice<UInt8>, reason: String) {
        resumeAllowed = false
        if bytes.first == FrameKind.error.byte {
            components.logger.debug("unreadable error frame from client", metadata: ["connection": "\(connection.id)", "reason": "\(reason)"])
            return malformed(reason, id: 0, answer: false)
        }
        malformed(reason, id: Self.requestID(in: bytes))
    }

    private func handle(_ frame: Frame) {
        defer { if case .batch = frame {} else { resumeAllowed = false } }
        switch frame {
        case .request(let request):
            handleRequest(request)
        case .message(let message):
            if let (feature, stream) = components.features.messageTarget(url: message.url) {
                components.perform(components.features.message(message.data, toFeature: feature, stream: stream, from: connection.id))
            } else {
                components.messageHandler?(ClientMessage(id: message.id, url: message.url, data: message.data, connection: connection))
            }
        case .batch(let frames):
            for inner in frames { handle(inner) }
        case .ack(let ack):
            components.publisher.acknowledge(RoomName(ack.room), epoch: ack.epoch, offset: ack.offset, from: connection.id, sessions: components.sessions)
        case .control(let control):
            // HELLO and SUBSCRIBE go from server to client, UNSUBSCRIBE is reserved: ignored.
            if control.kind == .resume { resume(control) }
        case .error(let error):
            // Clients report frames they could not understand (PROTOCOL.md §5); never answered.
            components.logger.info(
                "client reported an error",
                metadata: [
                    "connection": "\(connection.id)", "id": "\(error.id)", "status": "\(error.status.code)",
                    "reason": "\(String(decoding: error.data.prefix(512), as: UTF8.self))",
                ]
            )
        case .response(let response):
            malformed("a client may not send RESPONSE frames", id: response.id)
        case .push:
            malformed("a client may not send PUSH frames", id: 0)
        }
    }

    // MARK: Sessions

    /// The HELLO frame, the first frame on every connection (PROTOCOL.md §7).
    private func writeHello(_ greeting: SessionGreeting) {
        let hello = HelloNotice(
            connectionId: connection.id.rawValue, clientId: connection.clientId ?? connection.id.rawValue,
            sessionId: greeting.sessionId, resumeToken: greeting.resumeToken, sessionGraceMs: components.sessions.graceMilliseconds
        )
        encodeAndWrite(.control(ControlFrame(kind: .hello, id: 0, data: hello.json[...])))
        flushIfNeeded()
    }

    /// A RESUME: the missed pushes are queued (under the publisher's lock), then written
    /// before the RESPONSE that reports each room.
    private func resume(_ control: ControlFrame) {
        guard resumeAllowed else {
            return writeResponse(id: control.id, ReservedRoutes.errorReply(.conflict, "RESUME must be the first frame the client sends on a connection"))
        }
        guard let request = ResumeRequest.decode(control.data) else {
            return writeResponse(id: control.id, ReservedRoutes.errorReply(.badRequest, ResumeRequest.malformedReason))
        }
        let connection = self.connection
        let resumption = Resumption(publisher: components.publisher, sessions: components.sessions)
        let outcome = resumption.resume(request, connection: connection, liveSince: liveSince) { room, frames in
            for frame in frames {
                connection.queue(QueuedPush(payload: ByteBuffer(bytes: frame), createdAt: 0, sequence: 0, latestKey: nil, historyRoom: room.rawValue))
            }
        }
        switch outcome {
        case .refused(let status, let reason):
            writeResponse(id: control.id, ReservedRoutes.errorReply(status, reason))
        case .answered(let answer, let previous, let isActive):
            if let isActive { components.registry.add(id: connection.id, handle: connection, isActive: isActive) }
            if let previous { components.connections.connection(previous)?.close(code: 1000, reason: "session resumed on another connection") }
            writeResponse(id: control.id, Reply(status: .ok, body: answer.json[...]))
        }
    }

    private func handleRequest(_ frame: RequestFrame) {
        let request = Request(method: frame.method, url: frame.url, body: frame.data, id: frame.id, connection: connection)
        let started = components.observer.start()
        var pattern: String?
        let dispatch =
            ReservedRoutes.matches(frame.url)
            ? components.reservedRoutes.respond(to: request, pattern: &pattern)
            : components.responder.respond(to: request, pattern: &pattern)
        let observation = components.observer.routed(started, request, pattern: pattern)
        switch dispatch {
        case .completed(let reply):
            writeResponse(id: frame.id, reply, observation)
        case .pending(let reply):
            switch machine.pendingStarted() {
            case .run:
                start(reply, id: frame.id, observation)
            case .refuseTooMany:
                let limit = components.configuration.maxInFlightRequests
                writeResponse(id: frame.id, ReservedRoutes.errorReply(.tooManyRequests, "too many requests in flight on this connection (limit \(limit))"), observation)
            case .refuseShuttingDown:
                writeResponse(id: frame.id, ReservedRoutes.errorReply(.serviceUnavailable, "server is shutting down"), observation)
            case .drop:
                observation?.abandoned()
            }
        }
    }

    private func malformed(_ message: String, id: UInt32, answer: Bool = true) {
        components.observer.metrics.malformedFrames.increment()
        switch machine.malformedFrame(at: .now()) {
        case .answerWithError:
            if answer { writeError(ErrorFrame(id: id, status: .badRequest, message: message)) }
        case .closeForFlood:
            let configuration = components.configuration
            let window = configuration.malformedFrameWindow.nanoseconds / 1_000_000_000
            close(code: .policyViolation, reason: "more than \(configuration.maxMalformedFrames) malformed frames in \(window) s")
        case .ignore:
            break
        }
    }

    /// The id of a frame with the request layout whose header is intact, for error frames;
    /// else 0.
    private static func requestID(in bytes: ArraySlice<UInt8>) -> UInt32 {
        guard bytes.count >= 6, let first = bytes.first, let kind = FrameKind(byte: first) else { return 0 }
        switch kind {
        case .request, .response, .error, .message, .control: break
        case .push, .ack, .batch: return 0
        }
        return bytes.dropFirst(2).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    // MARK: Asynchronous requests

    private func start(_ reply: PendingReply, id: UInt32, _ observation: RequestObservation?) {
        guard let context else { return }
        nextPendingKey &+= 1
        let key = nextPendingKey
        let expiresAt = reply.deadline.map { NIODeadline.now() + TimeAmount($0) }
        pending[key] = PendingRequest(reply: reply, expiresAt: expiresAt, observation: observation)
        components.observer.metrics.requestsInFlight.increment()
        if let expiresAt { armDeadlineTimer(at: expiresAt) }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        RequestObservation.inSpanContext(of: observation) {
            reply.start(preferring: executor) { answer in
                if eventLoop.inEventLoop {
                    handler.value.completePending(key: key, id: id, answer)
                } else {
                    eventLoop.execute { handler.value.completePending(key: key, id: id, answer) }
                }
            }
        }
    }

    private func completePending(key: UInt64, id: UInt32, _ reply: Reply) {
        guard let request = pending.removeValue(forKey: key) else { return }
        components.observer.metrics.requestsInFlight.decrement()
        switch machine.pendingCompleted() {
        case .write:
            writeResponse(id: id, reply, request.observation)
            scheduleFlush()
        case .writeAndCloseGoingAway:
            writeResponse(id: id, reply, request.observation)
            close(code: .goingAway, reason: "server shutting down")
        case .drop:
            request.observation?.abandoned()
        }
    }

    /// Makes sure the deadline timer fires by `deadline`. Deadlines are usually all the same
    /// length, so a later request never moves the timer.
    private func armDeadlineTimer(at deadline: NIODeadline) {
        if let firesAt = deadlineTimerFiresAt, firesAt <= deadline { return }
        guard let context else { return }
        deadlineTimer?.cancel()
        deadlineTimerFiresAt = deadline
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadlineTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            handler.value.expireOverdue()
        }
    }

    /// Expires the pending requests past their deadline (their replies are 504s) and arms the
    /// timer for the next one.
    private func expireOverdue() {
        deadlineTimer = nil
        deadlineTimerFiresAt = nil
        let now = NIODeadline.now()
        var overdue: [PendingReply] = []
        var next: NIODeadline?
        for request in pending.values {
            guard let expiresAt = request.expiresAt else { continue }
            if expiresAt <= now {
                overdue.append(request.reply)
            } else if next.map({ expiresAt < $0 }) ?? true {
                next = expiresAt
            }
        }
        for reply in overdue { reply.expire() }
        if let next { armDeadlineTimer(at: next) }
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable || !machine.canWrite {
            context.read()
        } else {
            readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writeHeld(context: context)
            if readHeld {
                readHeld = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// Writes held messages, in order, while the channel takes them.
    private func writeHeld(context: ChannelHandlerContext) {
        guard !held.isEmpty else { return }
        while context.channel.isWritable, let next = held.popFirst() {
            heldBytes -= next.size
            emit(next, context: context)
        }
        flushIfNeeded()
    }

    /// Queues an encoded push on the connection; everything queued within one event-loop tick
    /// is written as one message (the frame itself when alone, else a batch in created-time
    /// order, each room's history frames in offset order, latest-class pushes merged) with one
    /// write and one flush, by a task scheduled once.
    func queuePush(_ push: QueuedPush<ByteBuffer>) {
        guard machine.canWrite else { return components.observer.metrics.pushesDropped.increment() }
        connection.queue(push)
    }

    /// The scheduled write of the pushes queued on the connection.
    func writePushes() {
        write(connection.takePushes(scheduled: true))
        flushIfNeeded()
    }

    /// Writes the pushes queued so far as one message. Also called before a response is
    /// written, so the pushes a handler made before answering arrive before its response.
    private func writeQueuedPushes() {
        write(connection.takePushes(scheduled: false))
    }

    private func write(_ pushes: [QueuedPush<ByteBuffer>]) {
        guard !pushes.isEmpty else { return }
        let queued = QueuedPush.ordered(pushes)
        guard machine.canWrite, let context, let first = queued.first else { return components.observer.metrics.pushesDropped.increment(by: queued.count) }
        components.observer.metrics.pushesDelivered.increment(by: queued.count)
        if queued.count == 1 {
            send(.frame(WebSocketFrame(fin: true, opcode: .binary, data: first.payload)))
        } else {
            var batch = Self.batch(of: queued, allocator: context.channel.allocator)
            writeBinary(&batch)
        }
    }

    /// A batch frame of encoded frames (a batch contributes its inner frames: batches do not
    /// nest), with room in front for the WebSocket header.
    private static func batch(of queued: [QueuedPush<ByteBuffer>], allocator: ByteBufferAllocator) -> ByteBuffer {
        var count = 0
        var size = FrameCodec.batchSchema.fixedSize
        for push in queued {
            count += FrameCodec.batchedFrameCount(push.payload.readableBytesView)
            size += push.payload.readableBytes + 4
        }
        var buffer = allocator.buffer(capacity: size + headerRoom)
        buffer.moveWriterIndex(forwardBy: headerRoom)
        buffer.moveReaderIndex(forwardBy: headerRoom)
        buffer.writeInteger(FrameKind.batch.byte)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(count))
        for push in queued {
            var payload = push.payload
            if FrameCodec.isBatch(payload.readableBytesView) {
                payload.moveReaderIndex(forwardBy: FrameCodec.batchSchema.fixedSize)
            } else {
                buffer.writeInteger(UInt32(payload.readableBytes))
            }
            buffer.writeBuffer(&payload)
        }
        return buffer
    }

    private func writeResponse(id: UInt32, _ reply: Reply, _ observation: RequestObservation? = nil) {
        writeQueuedPushes()
        encodeAndWrite(.response(ResponseFrame(id: id, status: reply.status, data: reply.body)))
        observation?.answered(reply.status)
    }

    private func writeError(_ error: ErrorFrame) {
        encodeAndWrite(.error(error))
    }

    private func encodeAndWrite(_ frame: Frame) {
        guard machine.canWrite, let context else { return }
        scratch.removeAll(keepingCapacity: true)
        do {
            try FrameCodec.encode(frame, into: &scratch)
        } catch {
            components.logger.error("could not encode a frame", metadata: ["connection": "\(connection.id)", "error": "\(error)"])
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: scratch.count + Self.headerRoom)
        buffer.moveWriterIndex(forwardBy: Self.headerRoom)
        buffer.moveReaderIndex(forwardBy: Self.headerRoom)
        buffer.writeBytes(scratch)
        if scratch.capacity > Self.scratchCapacityKept { scratch = [] }
        writeBinary(&buffer)
    }

    /// Writes `payload`, a buffer of this handler's own (uniquely referenced, so the header is
    /// written without a copy) with ``headerRoom`` free bytes in front of its readable bytes, as
    /// one final binary WebSocket message. The frame header goes into
    /// that room and the buffer is written below NIO's frame encoder, through its context:
    /// the encoder would write the header as a second buffer, since a buffer passed through
    /// the pipeline is never uniquely referenced. (Shared payloads, such as a push encoded
    /// once for many connections, go through the encoder, which leaves them untouched.)
    private func writeBinary(_ payload: inout ByteBuffer) {
        guard frameOutput != nil else {
            return send(.frame(WebSocketFrame(fin: true, opcode: .binary, data: payload)))
        }
        let length = payload.readableBytes
        let headerSize = length < 126 ? 2 : length <= Int(UInt16.max) ? 4 : 10
        let start = payload.readerIndex - headerSize
        precondition(start >= 0, "no room for the WebSocket header")
        payload.setInteger(UInt8(0x82), at: start)  // FIN, opcode 0x2 (binary)
        switch headerSize {
        case 2:
            payload.setInteger(UInt8(length), at: start + 1)
        case 4:
            payload.setInteger(UInt8(126), at: start + 1)
            payload.setInteger(UInt16(length), at: start + 2)
        default:
            payload.setInteger(UInt8(127), at: start + 1)
            payload.setInteger(UInt64(length), at: start + 2)
        }
        payload.moveReaderIndex(to: start)
        send(.framed(payload))
    }

    /// Writes a message to the channel, or holds it while the channel is not writable (or
    /// others are held, to keep the order).
    private func send(_ message: Outgoing) {
        guard let context else { return }
        guard held.isEmpty && context.channel.isWritable else {
            held.append(message)
            heldBytes += message.size
            return checkOutboundBound(context: context)
        }
        emit(message, context: context)
        if !context.channel.isWritable { checkOutboundBound(context: context) }
    }

    private func emit(_ message: Outgoing, context: ChannelHandlerContext) {
        switch message {
        case .framed(let buffer): (frameOutput ?? context).write(NIOAny(buffer), promise: nil)
        case .frame(let frame): context.write(Self.wrapOutboundOut(frame), promise: nil)
        }
        needsFlush = true
    }

    /// Writes a control frame (ping, pong) at once: it may pass held messages.
    private func writeControl(_ frame: WebSocketFrame) {
        guard let context else { return }
        context.write(Self.wrapOutboundOut(frame), promise: nil)
        needsFlush = true
    }

    /// Closes a slow consumer with 1013 once the bytes waiting for it, in the channel and
    /// held here, exceed ``Configuration/maxOutboundBufferSize``. The held messages are
    /// dropped, so the close frame only waits behind what the channel already has (about
    /// ``Configuration/outboundHighWaterMark``): a client that reads again gets it.
    private func checkOutboundBound(context: ChannelHandlerContext) {
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        let limit = components.configuration.maxOutboundBufferSize
        guard buffered + heldBytes > limit else { return }
        components.observer.metrics.slowConsumerCloses.increment()
        components.logger.warning(
            "closing slow consumer",
            metadata: ["connection": "\(connection.id)", "bufferedBytes": "\(buffered)", "heldBytes": "\(heldBytes)"]
        )
        held.removeAll()
        heldBytes = 0
        close(code: Self.tryAgainLater, reason: "slow consumer: more than \(limit) bytes waiting")
    }

    private func flushIfNeeded() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

    /// Flushes once every write already queued on the event loop has run.
    private func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            handler.value.flushScheduled = false
            handler.value.flushIfNeeded()
        }
    }

    // MARK: Health and closing

    private func pingTick() {
        switch machine.pingTick() {
        case .none:
            break
        case .ping:
            guard let context else { return }
            writeControl(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0)))
            flushIfNeeded()
        case .closeIdle:
            close(code: .goingAway, reason: "idle timeout")
        }
    }

    /// Begins a graceful shutdown: answer what is in flight, then close with 1001.
    func beginShutdown() {
        switch machine.shutdownRequested() {
        case .closeGoingAway:
            close(code: .goingAway, reason: "server shutting down")
        case .waitForInFlight, .none:
            break
        }
    }

    /// Sends a close frame, then closes the channel when the peer answers (or after a short
    /// timeout), or at once when `andDisconnect` (the peer can no longer be read from).
    func close(code: WebSocketErrorCode, reason: String, andDisconnect: Bool = false) {
        guard let context, machine.closeSent() else { return }
        endsSession = Self.endsSession(code)
        components.logger.debug("closing connection", metadata: ["connection": "\(connection.id)", "code": "\(code)", "reason": "\(reason)"])
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(String(decoding: reason.utf8.prefix(123), as: UTF8.self))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        // Nothing may follow the close frame: held messages go first (a slow consumer's were
        // dropped already).
        while let next = held.popFirst() { emit(next, context: context) }
        heldBytes = 0
        needsFlush = false
        if andDisconnect {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(Self.wrapOutboundOut(frame)).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
            if !context.channel.isWritable { context.close(promise: nil) }
            return
        }
        context.writeAndFlush(Self.wrapOutboundOut(frame), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        closeTimeout = context.eventLoop.scheduleTask(in: components.configuration.closeHandshakeTimeout) {
            loopBound.value.close(promise: nil)
        }
        // Reading resumes (it may have been held while the channel was not writable) so the
        // peer's close frame is heard.
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    /// Whether a close the server starts with `code` ends the session: a normal close (the
    /// application's) and closes for misbehaviour do; going away (idle timeout, shutdown),
    /// internal errors and a slow consumer's 1013 park it for a resume.
    private static func endsSession(_ code: WebSocketErrorCode) -> Bool {
        switch code {
        case .normalClosure, .protocolError, .unacceptableData, .dataInconsistentWithMessage, .policyViolation, .messageTooLarge: true
        default: false
        }
    }

    private func peerClosed(_ frame: WebSocketFrame) {
        guard let context else { return }
        if machine.state == .closing {
            context.close(promise: nil)
            return
        }
        var data = frame.unmaskedData
        let code = CloseFrameBody.replyCode(for: &data)
        // A client that closes with 1000 (or no code) is done with its session; any other
        // code (1001 going away included) may come back and resume.
        endsSession = code == .normalClosure
        _ = machine.closeSent()
        context.writeCloseFrameAndClose(code: code)
    }
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}
