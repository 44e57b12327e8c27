import NIOCore
import NIOWebSocket

/// Opens the WebSocket from the client side: writes the HTTP upgrade request, reads the answer
/// and, on `101 Switching Protocols` with the expected subprotocol, replaces itself with NIO's
/// frame encoder and decoder followed by the handler that `makeHandler` builds.
///
/// Written on raw bytes rather than NIO's HTTP client upgrader: the answer is tiny, and the
/// tool then checks exactly what the server sent.
final class ClientHandshakeHandler<Next: ChannelInboundHandler>: ChannelInboundHandler, RemovableChannelHandler
where Next.InboundIn == WebSocketFrame {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Why a handshake failed.
    enum Failure: Error, CustomStringConvertible {
        case refused(statusLine: String)
        case wrongSubprotocol(chosen: String?, expected: String)
        case closedEarly
        case answerTooLarge

        var description: String {
            switch self {
            case .refused(let line): "handshake refused: \(line)"
            case .wrongSubprotocol(let chosen, let expected): "server chose subprotocol \(chosen ?? "none"), expected \(expected)"
            case .closedEarly: "connection closed during the handshake"
            case .answerTooLarge: "handshake answer larger than 16 KiB"
            }
        }
    }

    private let host: String
    private let path: String
    private let subprotocol: String
    private let upgraded: EventLoopPromise<NIOLoopBound<Next>>
    private let makeHandler: () -> Next
    private var received: ByteBuffer?
    private var done = false

    /// - Parameters:
    ///   - host: The `Host` header's value.
    ///   - path: The handshake's path.
    ///   - subprotocol: Offered, and required in the answer.
    ///   - upgraded: Succeeded with the installed handler once the socket speaks WebSocket.
    ///   - makeHandler: Builds the handler that receives the frames.
    init(host: String, path: String, subprotocol: String, upgraded: EventLoopPromise<NIOLoopBound<Next>>, makeHandler: @escaping () -> Next) {
        self.host = host
        self.path = path
        self.subprotocol = subprotocol
        self.upgraded = upgraded
        self.makeHandler = makeHandler
    }

    func channelActive(context: ChannelHandlerContext) {
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: \(subprotocol)\r\n\r\n"
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var chunk = Self.unwrapInboundIn(data)
        if received == nil {
            received = chunk
        } else {
            received?.writeBuffer(&chunk)
        }
        guard let buffer = received else { return }
        let bytes = buffer.readableBytesView
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else {
            if bytes.count > 16 << 10 { fail(context, .answerTooLarge) }
            return
        }
        let headText = String(decoding: bytes[bytes.startIndex..<end.lowerBound], as: UTF8.self)
        let lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first.map(String.init) ?? ""
        guard statusLine.split(separator: " ").dropFirst().first == "101" else {
            return fail(context, .refused(statusLine: statusLine))
        }
        var chosen: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "sec-websocket-protocol" {
                chosen = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            }
        }
        guard chosen == subprotocol else { return fail(context, .wrongSubprotocol(chosen: chosen, expected: subprotocol)) }
        done = true
        let leftover = buffer.getSlice(at: end.upperBound, length: bytes.endIndex - end.upperBound)
        received = nil
        let next = makeHandler()
        do {
            let pipeline = context.pipeline.syncOperations
            try pipeline.addHandler(WebSocketFrameEncoder(), position: .after(self))
            try pipeline.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 16 << 20)))
            try pipeline.addHandler(next)
        } catch {
            upgraded.fail(error)
            context.close(promise: nil)
            return
        }
        upgraded.succeed(NIOLoopBound(next, eventLoop: context.eventLoop))
        if let leftover, leftover.readableBytes > 0 {
            context.fireChannelRead(Self.wrapInboundOut(leftover))
        }
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            upgraded.fail(Failure.closedEarly)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            upgraded.fail(error)
        }
        context.close(promise: nil)
    }

    private func fail(_ context: ChannelHandlerContext, _ failure: Failure) {
        done = true
        upgraded.fail(failure)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ClientHandshakeHandler: Sendable {}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
