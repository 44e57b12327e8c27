import NIOCore
import NIOWebSocket

/// The inbound path: whole messages decoded into frames (a batch frame by frame), requests
/// dispatched to the responder, answered inline or awaited, and malformed frames answered and
/// counted towards the flood limit.
extension ConnectionHandler {
    /// A whole WebSocket message: binary ones carry frames of the protocol. Ignored once the
    /// connection is closing.
    func receiveMessage(_ bytes: [UInt8], isText: Bool) {
        guard machine.canWrite else { return }
        if isText {
            malformed("text messages are not part of \(FrameCodec.subprotocol): send binary messages", id: 0)
        } else {
            receive(bytes)
        }
    }

    func receive(_ bytes: [UInt8]) {
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
    func receiveBatch(_ bytes: [UInt8]) {
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
    func rejected(_ bytes: ArraySlice<UInt8>, reason: String) {
        resumeAllowed = false
        if bytes.first == FrameKind.error.byte {
            components.logger.debug("unreadable error frame from client", metadata: ["connection": "\(connection.id)", "reason": "\(reason)"])
            return malformed(reason, id: 0, answer: false)
        }
        malformed(reason, id: Self.requestID(in: bytes))
    }

    func handle(_ frame: Frame) {
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

    func handleRequest(_ frame: RequestFrame) {
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

    func malformed(_ message: String, id: UInt32, answer: Bool = true) {
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
    static func requestID(in bytes: ArraySlice<UInt8>) -> UInt32 {
        guard bytes.count >= 6, let first = bytes.first, let kind = FrameKind(byte: first) else { return 0 }
        switch kind {
        case .request, .response, .error, .message, .control: break
        case .push, .ack, .batch: return 0
        }
        return bytes.dropFirst(2).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    // MARK: Asynchronous requests

    func start(_ reply: PendingReply, id: UInt32, _ observation: RequestObservation?) {
        guard let context else { return }
        let requests = pending ?? PendingRequests(eventLoop: context.eventLoop)
        pending = requests
        let key = requests.begin()
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
        switch requests.commit(reply, observation: observation) {
        case .answered(let answer):
            // Answered without suspending: written like an inline reply, flushed with the read.
            finishPending(id: id, answer, observation, flush: false)
        case .kept:
            components.observer.metrics.requestsInFlight.increment()
        case .abandoned:
            reply.expire()
            observation?.abandoned()
        }
    }

    func completePending(key: UInt64, id: UInt32, _ reply: Reply) {
        guard case .awaited(let request) = pending?.complete(key, with: reply) else { return }
        components.observer.metrics.requestsInFlight.decrement()
        finishPending(id: id, reply, request.observation, flush: true)
    }

    /// Writes an awaited request's reply, unless the connection is closing; `flush`: outside
    /// a read burst (whose end flushes).
    private func finishPending(id: UInt32, _ reply: Reply, _ observation: RequestObservation?, flush: Bool) {
        switch machine.pendingCompleted() {
        case .write:
            writeResponse(id: id, reply, observation)
            if flush { writer?.scheduleFlush() }
        case .writeAndCloseGoingAway:
            writeResponse(id: id, reply, observation)
            close(code: .goingAway, reason: "server shutting down")
        case .drop:
            observation?.abandoned()
        }
    }
}
