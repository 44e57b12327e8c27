import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Answers the one HTTP request of a connection that did not become a WebSocket: a refused
/// handshake with its status, headers and reason, an application route, a static file, or 404.
/// Every answer closes the connection, and the whole exchange must end within
/// ``Configuration/handshakeTimeout`` of the connection's accept (``ServerPipeline`` closes it
/// then), so a request whose head or body never ends cannot hold its socket.
///
/// ``HandshakeHandler`` hands it the request from its head on. A refusal is answered as soon as
/// the head arrives; any other request once it has ended. Request parts after the first
/// request are ignored (the answer closes the connection).
final class PlainHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let refusal: HandshakeRefusal?
    private let staticFiles: StaticFiles?
    private let routes: PlainHTTPRoutes
    private var head: HTTPRequestHead?
    private var answered = false

    init(refusal: HandshakeRefusal?, staticFilesFolder: String?, routes: PlainHTTPRoutes = PlainHTTPRoutes()) {
        self.refusal = refusal
        self.routes = routes
        self.staticFiles = staticFilesFolder.map(StaticFiles.init(folder:))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            if let refusal {
                answered = true
                return send(status: refusal.status.code, json: JSONText.object(["error": refusal.reason]), headers: refusal.headers, context: context)
            }
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            answered = true
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        if head.method == .GET || head.method == .HEAD, let route = routes.handler(for: head.uri) { return answer(route, isHead: head.method == .HEAD, context: context) }
        guard head.method == .GET || head.method == .HEAD, let staticFiles, let file = staticFiles.file(for: head.uri) else {
            return send(status: 404, json: JSONText.object(["error": "not found"]), context: context)
        }
        let isHead = head.method == .HEAD
        let eventLoop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        let loopContext = NIOLoopBound(context, eventLoop: eventLoop)
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { () -> Data? in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file.path)
            guard let size = attributes?[.size] as? Int, size <= StaticFiles.maxFileSize else { return nil }
            return try? Data(contentsOf: file)
        }.whenComplete { result in
            let context = loopContext.value
            guard case .success(let data?) = result else {
                return handler.value.send(status: 404, json: JSONText.object(["error": "not found"]), context: context)
            }
            handler.value.send(status: 200, contentType: StaticFiles.contentType(for: file), body: isHead ? nil : Array(data), length: data.count, context: context)
        }
    }

    /// Answers with a ``PlainHTTPRoutes`` handler, which runs in a task.
    private func answer(_ route: @escaping PlainHTTPRoutes.Handler, isHead: Bool, context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: PlainHTTPResponse.self)
        promise.completeWithTask { await route() }
        promise.futureResult.whenSuccess { response in
            handler.value.send(status: response.status, contentType: response.contentType, body: isHead ? nil : response.body, length: response.body.count, context: loopContext.value)
        }
    }

    private func send(status: Int, json: String, headers: [String: String] = [:], context: ChannelHandlerContext) {
        let body = Array(json.utf8)
        send(status: status, contentType: "application/json", body: body, length: body.count, extraHeaders: headers, context: context)
    }

    private func send(status: Int, contentType: String, body: [UInt8]?, length: Int, extraHeaders: [String: String] = [:], context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        for (name, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(length))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        if let body, !body.isEmpty {
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            loopContext.value.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension PlainHTTPHandler: Sendable {}
