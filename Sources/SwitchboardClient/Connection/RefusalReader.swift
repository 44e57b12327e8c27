import NIOCore
import NIOHTTP1

/// Reads the HTTP answer of a refused upgrade (status and JSON body) and closes the channel.
final class RefusalReader: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    /// Bodies longer than this are cut; a refusal reason is a short sentence.
    private static let maxBody = 4096
    private let promise: EventLoopPromise<(status: Int, reason: String)>
    private var status = 0
    private var body: [UInt8] = []
    private var answered = false

    init(promise: EventLoopPromise<(status: Int, reason: String)>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView.prefix(Self.maxBody - body.count))
        case .end:
            answer()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answer()
        context.close(promise: nil)
    }

    private func answer() {
        guard !answered else { return }
        answered = true
        promise.succeed((status, ErrorBody.reason(in: body[...])))
    }
}

@available(*, unavailable)
extension RefusalReader: Sendable {}
