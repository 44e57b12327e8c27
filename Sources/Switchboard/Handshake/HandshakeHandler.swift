import NIOCore
import NIOHTTP1
import SwitchboardDeflate

/// Carries out ``HandshakeStateMachine``'s actions for one connection. It sits after NIO's HTTP
/// request decoder and response encoder, has ``HandshakeEvaluation`` decide an upgrade, then
/// either
/// - writes the 101 itself (``SwitchingProtocols``), takes the HTTP handlers out, lets
///   ``ServerPipeline`` put the WebSocket ones in, and leaves: the 101 is not flushed before
///   the connection's first frame is written, so the two leave in one write; or
/// - hands the request to the plain HTTP handlers (NIO's pipelining, header-validation and
///   protocol-error handlers, then ``PlainHTTPHandler``) and leaves.
///
/// A request that cannot be parsed before either is answered 400 and closed. Bytes the client
/// sends after the upgrade request reach the WebSocket handlers: the request decoder hands on
/// what it has not parsed when it is removed.
final class HandshakeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = Any
    typealias OutboundOut = HTTPServerResponsePart

    /// Opens the WebSocket once the 101 is written: the connection's handlers, or the refusal
    /// told as a close.
    typealias Install = (any Channel, HandshakeOutcome, DeflateParameters?) throws -> Void

    private let decoder: ByteToMessageHandler<HTTPRequestDecoder>
    private let encoder: HTTPResponseEncoder
    private let components: ServerComponents
    private let outcome: NIOLoopBoundBox<HandshakeOutcome>
    private let install: Install
    private var machine = HandshakeStateMachine()
    private var context: ChannelHandlerContext?
    private var answer: SwitchingProtocols?
    private var deflate: DeflateParameters?
    /// Set once the WebSocket handlers are in: what arrives is theirs.
    private var upgraded = false
    /// A read asked for while the decision was pending (``HandshakeStateMachine/holdsReads``).
    private var readHeld = false

    init(
        decoder: ByteToMessageHandler<HTTPRequestDecoder>,
        encoder: HTTPResponseEncoder,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>,
        install: @escaping Install
    ) {
        self.decoder = decoder
        self.encoder = encoder
        self.components = components
        self.outcome = outcome
        self.install = install
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        machine.closed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if upgraded { return context.fireChannelRead(data) }
        perform(machine.read(Self.unwrapInboundIn(data)), context: context)
    }

    func read(context: ChannelHandlerContext) {
        guard machine.holdsReads else { return context.read() }
        readHeld = true
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else { return context.fireErrorCaught(error) }
        guard machine.parseFailed() else { return context.close(promise: nil) }
        let head = HTTPResponseHead(version: .http1_1, status: .badRequest, headers: ["Connection": "close", "Content-Length": "0"])
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in loopContext.value.close(promise: nil) }
    }

    private func perform(_ action: HandshakeStateMachine.Action, context: ChannelHandlerContext) {
        if readHeld && !machine.holdsReads {
            readHeld = false
            context.read()
        }
        switch action {
        case .none:
            break
        case .decide(let head):
            decide(head, context: context)
        case .answerOverHTTP(let refusal, let parts):
            answerOverHTTP(refusal: refusal, parts: parts, context: context)
        case .upgrade:
            upgrade(context: context)
        case .close:
            context.close(promise: nil)
        }
    }

    private func decide(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        HandshakeEvaluation.evaluate(head, channel: context.channel, components: components, outcome: outcome) { [self] refusal in
            guard let context = self.context else { return }
            if refusal == nil { prepareAnswer(for: head) }
            perform(machine.decided(refusal: refusal), context: context)
        }
    }

    /// The 101's headers: the subprotocol, the client id of an accepted connection, and the
    /// compression parameters when both sides want compression.
    private func prepareAnswer(for head: HTTPRequestHead) {
        let configuration = components.configuration
        var answer = SwitchingProtocols(key: head.headers.first(name: "Sec-WebSocket-Key")?.trimmingSpaces() ?? "")
        if !configuration.rawEchoMode { answer.subprotocol = FrameCodec.subprotocol }
        if case .accepted(_, let clientId, _) = outcome.value { answer.clientId = clientId }
        if let settings = configuration.compression,
            let parameters = DeflateParameters.negotiate(offers: head.headers["Sec-WebSocket-Extensions"], settings: settings)
        {
            deflate = parameters
            answer.extensions = parameters.responseHeader
        }
        self.answer = answer
    }

    private func upgrade(context: ChannelHandlerContext) {
        guard let answer else { return context.close(promise: nil) }
        let pipeline = context.pipeline.syncOperations
        // The decoder leaves on the next tick, handing on the bytes after the request then; this
        // handler passes them on and leaves after it, ending that read burst.
        let decoderGone = context.eventLoop.makePromise(of: Void.self)
        pipeline.removeHandler(decoder, promise: decoderGone)
        pipeline.removeHandler(encoder, promise: nil)
        var bytes = context.channel.allocator.buffer(capacity: 256)
        answer.write(into: &bytes)
        context.write(NIOAny(bytes), promise: nil)
        do {
            try install(context.channel, outcome.value, deflate)
        } catch {
            context.close(promise: nil)
            return
        }
        context.flush()
        upgraded = true
        decoderGone.futureResult.assumeIsolated().whenComplete { [self] _ in
            guard let context = self.context else { return }
            context.fireChannelReadComplete()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    private func answerOverHTTP(refusal: HandshakeRefusal?, parts: [HTTPServerRequestPart], context: ChannelHandlerContext) {
        let configuration = components.configuration
        do {
            try context.pipeline.syncOperations.addHandlers([
                HTTPServerPipelineHandler(),
                NIOHTTPResponseHeadersValidator(),
                HTTPServerProtocolErrorHandler(),
                PlainHTTPHandler(refusal: refusal, staticFilesFolder: configuration.staticFilesFolder, routes: configuration.httpRoutes),
            ])
        } catch {
            context.close(promise: nil)
            return
        }
        for part in parts { context.fireChannelRead(Self.wrapInboundOut(part)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

@available(*, unavailable)
extension HandshakeHandler: Sendable {}
