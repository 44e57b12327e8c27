import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import Switchboard

/// A small WebSocket client on raw NIO for end-to-end tests: it writes the HTTP handshake
/// itself (so refused handshakes can be inspected), sends any frame or raw bytes, and queues
/// what the server sends. The server's HELLO frames are kept apart (``hello(timeout:)``), so
/// tests see every other frame as before; ``firstFrames`` tells whether HELLO came first.
final class WebSocketTestClient: Sendable {
    /// Something the server sent, or the connection's end.
    enum Event: Sendable, Equatable {
        case frame(Frame)
        case undecodable([UInt8])
        case text(String)
        case close(code: UInt16?, reason: String)
        case ping
        case pong
        case disconnected
    }

    /// The server's answer to the handshake.
    struct HTTPAnswer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    enum ClientError: Error {
        case notUpgraded(HTTPAnswer)
        case timeout(String)
        case unexpected(Event?)
    }

    let channel: any Channel
    let answer: HTTPAnswer
    /// What crossed the socket, and how many messages came compressed.
    let wire: WireStatistics
    private let inbox: EventInbox<Event>
    private let hellos: EventInbox<HelloArrival>

    private init(channel: any Channel, answer: HTTPAnswer, wire: WireStatistics, inbox: EventInbox<Event>, hellos: EventInbox<HelloArrival>) {
        self.channel = channel
        self.answer = answer
        self.wire = wire
        self.inbox = inbox
        self.hellos = hellos
    }

    /// A HELLO frame and how many frames came before it.
    struct HelloArrival: Sendable {
        var frame: ControlFrame
        var framesBefore: Int
    }

    /// The server's HELLO (waiting for it), decoded; `nil` when none came in time.
    func hello(timeout: TimeAmount = .seconds(5)) async -> (notice: HelloNotice, framesBefore: Int)? {
        guard let arrival = await hellos.next(timeout: timeout, on: channel.eventLoop),
            let notice = try? JSONDecoder().decode(HelloNotice.self, from: Data(arrival.frame.data))
        else { return nil }
        return (notice, arrival.framesBefore)
    }

    /// Sends an HTTP request (a WebSocket handshake when `upgrade`) and returns the answer and
    /// the open client when the server switched protocols. With `tls` the connection is
    /// `wss://` (``TestCertificates/clientContext()``), checked against `serverHostname`; when
    /// the answer accepts `permessage-deflate` (offered in `headers`), compressed messages are
    /// inflated (``ClientDeflate``).
    static func handshake(
        port: Int,
        path: String = "/ws",
        subprotocol: String? = FrameCodec.subprotocol,
        headers: [(String, String)] = [],
        upgrade: Bool = true,
        answersPings: Bool = true,
        answersCloses: Bool = true,
        receiveBufferSize: Int? = nil,
        tls: NIOSSLContext? = nil,
        serverHostname: String? = "localhost"
    ) async throws -> (HTTPAnswer, WebSocketTestClient?) {
        let inbox = EventInbox<Event>()
        let hellos = EventInbox<HelloArrival>()
        let wire = WireStatistics()
        let answerPromise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: HTTPAnswer.self)
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WireCounter(statistics: wire))
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPAnswerReader(answer: answerPromise, inbox: inbox, hellos: hellos, answersPings: answersPings, answersCloses: answersCloses, wire: wire)
                    )
                }
            }
        if let receiveBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
        }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if upgrade {
            request += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            if let subprotocol { request += "Sec-WebSocket-Protocol: \(subprotocol)\r\n" }
        }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(string: request)).get()
        } catch {
            // The connection failed first (a TLS handshake refused, say): that is the error.
            _ = try await answerPromise.futureResult.get()
            throw error
        }
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(10)) {
            answerPromise.fail(ClientError.timeout("no HTTP answer"))
        }
        let answer = try await answerPromise.futureResult.get()
        timeout.cancel()
        guard answer.status == 101 else {
            channel.close(promise: nil)
            return (answer, nil)
        }
        return (answer, WebSocketTestClient(channel: channel, answer: answer, wire: wire, inbox: inbox, hellos: hellos))
    }

    /// Opens a WebSocket or throws.
    static func connect(
        port: Int, path: String = "/ws", headers: [(String, String)] = [], answersPings: Bool = true, receiveBufferSize: Int? = nil, tls: NIOSSLContext? = nil
    ) async throws -> WebSocketTestClient {
        let (answer, client) = try await handshake(port: port, path: path, headers: headers, answersPings: answersPings, receiveBufferSize: receiveBufferSize, tls: tls)
        guard let client else { throw ClientError.notUpgraded(answer) }
        return client
    }

    // MARK: Sending

    func send(_ frame: Frame) async throws {
        try await sendRaw(FrameCodec.encode(frame))
    }

    /// Sends one WebSocket frame holding `bytes`, masked unless `masked` is `false` (which a
    /// client must never do).
    func sendRaw(_ bytes: [UInt8], opcode: WebSocketOpcode = .binary, fin: Bool = true, masked: Bool = true) async throws {
        let frame = WebSocketFrame(fin: fin, opcode: opcode, maskKey: masked ? .random() : nil, data: channel.allocator.buffer(bytes: bytes))
        try await channel.writeAndFlush(frame).get()
    }

    /// Writes without waiting (for floods).
    func sendWithoutWaiting(_ frame: Frame) throws {
        let bytes = try FrameCodec.encode(frame)
        let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: channel.allocator.buffer(bytes: bytes))
        channel.writeAndFlush(frame, promise: nil)
    }

    func sendClose(code: WebSocketErrorCode = .normalClosure) async throws {
        var data = channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        try await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)).get()
    }

    /// Stops reading from the socket (a slow consumer).
    func stopReading() async throws {
        try await channel.setOption(.autoRead, value: false).get()
    }

    /// Reads from the socket again after ``stopReading()``.
    func resumeReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
        channel.read()
    }

    func close() {
        channel.close(promise: nil)
    }

    // MARK: Receiving

    /// The next event, or `nil` after `timeout`.
    func next(timeout: TimeAmount = .seconds(5)) async -> Event? {
        await inbox.next(timeout: timeout, on: channel.eventLoop)
    }

    /// The next frame, skipping pings and pongs.
    func nextFrame(timeout: TimeAmount = .seconds(5)) async throws -> Frame {
        while true {
            let event = await next(timeout: timeout)
            switch event {
            case .frame(let frame): return frame
            case .ping, .pong: continue
            default: throw ClientError.unexpected(event)
            }
        }
    }

    /// The close frame the server sends next (skipping other frames), or `nil`.
    func nextClose(timeout: TimeAmount = .seconds(5)) async -> (code: UInt16?, reason: String)? {
        while true {
            switch await next(timeout: timeout) {
            case .close(let code, let reason): return (code, reason)
            case .disconnected, nil: return nil
            default: continue
            }
        }
    }

    /// Waits until the connection is closed.
    func waitUntilDisconnected(timeout: TimeAmount = .seconds(5)) async -> Bool {
        while true {
            switch await next(timeout: timeout) {
            case .disconnected: return true
            case nil: return !channel.isActive
            default: continue
            }
        }
    }

    /// Sends a request and waits for its response, skipping pushes, position notices (SUBSCRIBE
    /// #0, in the place of pushes that left this connection out) and the SUBSCRIBE that precedes
    /// the response of a request that subscribed or joined a room.
    func request(_ method: Switchboard.Method = .get, _ url: String, body: String = "", id: UInt32 = 1) async throws -> ResponseFrame {
        try await send(.request(RequestFrame(method: method, id: id, url: url, data: ArraySlice(body.utf8))))
        while true {
            let frame = try await nextFrame()
            switch frame {
            case .push: continue
            case .control(let control) where control.kind == .subscribe && (control.id == id || control.id == 0): continue
            case .response(let response) where response.id == id: return response
            default: throw ClientError.unexpected(.frame(frame))
            }
        }
    }
}

/// Reads the HTTP answer; on 101 installs the WebSocket handlers and forwards what followed.
private final class HTTPAnswerReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let answer: EventLoopPromise<WebSocketTestClient.HTTPAnswer>
    private let inbox: EventInbox<WebSocketTestClient.Event>
    private let hellos: EventInbox<WebSocketTestClient.HelloArrival>
    private let answersPings: Bool
    private let answersCloses: Bool
    private let wire: WireStatistics
    private var received: [UInt8] = []
    private var head: (status: Int, headers: [String: String], bodyStart: Int)?
    private var done = false

    init(
        answer: EventLoopPromise<WebSocketTestClient.HTTPAnswer>, inbox: EventInbox<WebSocketTestClient.Event>,
        hellos: EventInbox<WebSocketTestClient.HelloArrival>, answersPings: Bool, answersCloses: Bool, wire: WireStatistics
    ) {
        self.answer = answer
        self.inbox = inbox
        self.hellos = hellos
        self.answersPings = answersPings
        self.answersCloses = answersCloses
        self.wire = wire
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        received += Self.unwrapInboundIn(data).readableBytesView
        if head == nil, let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
            let lines = String(decoding: received[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            head = (status, headers, end.upperBound)
        }
        guard let head else { return }
        if head.status == 101 {
            done = true
            answer.succeed(.init(status: 101, headers: head.headers, body: ""))
            let leftover = Array(received[head.bodyStart...])
            do {
                let pipeline = context.pipeline.syncOperations
                try pipeline.addHandler(WebSocketFrameEncoder(), position: .after(self))
                try pipeline.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 64 << 20)))
                if let extensions = head.headers["sec-websocket-extensions"], extensions.hasPrefix("permessage-deflate") {
                    try pipeline.addHandler(ClientDeflate(statistics: wire))
                }
                try pipeline.addHandler(FrameCollector(inbox: inbox, hellos: hellos, answersPings: answersPings, answersCloses: answersCloses))
            } catch {
                context.close(promise: nil)
                return
            }
            if !leftover.isEmpty {
                context.fireChannelRead(Self.wrapInboundOut(context.channel.allocator.buffer(bytes: leftover)))
            }
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
            return
        }
        let length = Int(head.headers["content-length"] ?? "") ?? 0
        if received.count - head.bodyStart >= length {
            done = true
            let body = String(decoding: received[head.bodyStart..<(head.bodyStart + length)], as: UTF8.self)
            answer.succeed(.init(status: head.status, headers: head.headers, body: body))
        }
    }

    typealias InboundOut = ByteBuffer

    /// A failed TLS handshake fails the answer with its error.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            answer.fail(error)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            answer.fail(ChannelError.eof)
        }
        inbox.push(.disconnected)
        inbox.finish()
        context.fireChannelInactive()
    }
}

/// Turns the server's WebSocket frames into events.
private final class FrameCollector: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let inbox: EventInbox<WebSocketTestClient.Event>
    private let hellos: EventInbox<WebSocketTestClient.HelloArrival>
    private let answersPings: Bool
    private let answersCloses: Bool
    private var frames = 0

    init(inbox: EventInbox<WebSocketTestClient.Event>, hellos: EventInbox<WebSocketTestClient.HelloArrival>, answersPings: Bool, answersCloses: Bool) {
        self.inbox = inbox
        self.hellos = hellos
        self.answersPings = answersPings
        self.answersCloses = answersCloses
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        var payload = frame.unmaskedData
        switch frame.opcode {
        case .binary:
            let bytes = Array(payload.readableBytesView)
            frames += 1
            if let decoded = try? FrameCodec.decode(bytes) {
                if case .control(let control) = decoded, control.kind == .hello {
                    hellos.push(.init(frame: control, framesBefore: frames - 1))
                    return
                }
                inbox.push(.frame(decoded))
            } else {
                inbox.push(.undecodable(bytes))
            }
        case .text:
            inbox.push(.text(String(decoding: payload.readableBytesView, as: UTF8.self)))
        case .ping:
            inbox.push(.ping)
            if answersPings {
                context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: payload)), promise: nil)
            }
        case .pong:
            inbox.push(.pong)
        case .connectionClose:
            let code = payload.readInteger(as: UInt16.self)
            let reason = payload.readString(length: payload.readableBytes) ?? ""
            inbox.push(.close(code: code, reason: reason))
            guard answersCloses else { return }
            // Answer like a browser: echo the code, completing the close handshake.
            var reply = context.channel.allocator.buffer(capacity: 2)
            if let code { reply.writeInteger(code) }
            context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)), promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.push(.disconnected)
        inbox.finish()
        context.fireChannelInactive()
    }
}

extension WebSocketTestClient {
    /// What a RESUME brought: the pushes before its RESPONSE (batches unpacked), the RESPONSE,
    /// and its JSON.
    struct Resumed {
        var replayed: [PushFrame]
        var response: ResponseFrame
        var body: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(response.data))) as? [String: Any] ?? [:]
        }
        /// The answer's line for `room`.
        func room(_ room: String) -> [String: Any] {
            (body["rooms"] as? [String: Any])?[room] as? [String: Any] ?? [:]
        }
    }

    /// Sends RESUME `{"resumeToken", "rooms": {room: {epoch, offset}}}` with `id` and collects
    /// everything up to its RESPONSE.
    func resume(token: String?, rooms: [String: RoomPosition], id: UInt32 = 77) async throws -> Resumed {
        var object: [String: Any] = [:]
        if let token { object["resumeToken"] = token }
        object["rooms"] = rooms.mapValues { ["epoch": $0.epoch, "offset": $0.offset] }
        let data = try JSONSerialization.data(withJSONObject: object)
        try await send(.control(ControlFrame(kind: .resume, id: id, data: ArraySlice(data))))
        var replayed: [PushFrame] = []
        while true {
            let frame = try await nextFrame()
            for inner in Self.flattened(frame) {
                switch inner {
                case .push(let push): replayed.append(push)
                case .response(let response) where response.id == id: return Resumed(replayed: replayed, response: response)
                default: throw ClientError.unexpected(.frame(inner))
                }
            }
        }
    }

    /// The pushes received until the client has been quiet for `quiet` (batches unpacked).
    func pushes(quiet: TimeAmount = .milliseconds(300)) async -> [PushFrame] {
        var pushes: [PushFrame] = []
        while case .frame(let frame) = await next(timeout: quiet) {
            for case .push(let push) in Self.flattened(frame) { pushes.append(push) }
        }
        return pushes
    }

    /// Exactly `count` pushes (batches unpacked), or fewer when they stop coming for 5 s.
    func pushes(count: Int) async -> [PushFrame] {
        var pushes: [PushFrame] = []
        while pushes.count < count, case .frame(let frame) = await next(timeout: .seconds(5)) {
            for case .push(let push) in Self.flattened(frame) { pushes.append(push) }
        }
        return pushes
    }

    static func flattened(_ frame: Frame) -> [Frame] {
        if case .batch(let inner) = frame { return inner }
        return [frame]
    }
}
