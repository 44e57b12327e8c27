import NIOCore

/// Writes requests, parses replies and hands each to the request waiting longest (replies come
/// in the order commands were sent); out-of-band frames (RESP3 pushes, and on a subscriber's
/// connection published messages in RESP2 subscribed mode) go to `onPush` instead. Runs on the
/// connection's event loop.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var id: UInt64
        var command: String
        /// Replies still expected, per command, in order.
        var expected: CircularBuffer<Int>
        var isSubscription: Bool
        var promise: EventLoopPromise<[RESPValue]>
        var timeoutTask: Scheduled<Void>?
    }

    private let parser: RESPParser
    private let onPush: @Sendable (RESPValue) -> Void
    /// Whether RESP2 arrays shaped like published messages are messages; only on a
    /// subscriber's connection, where no command answers with such an array.
    private let isSubscriber: Bool
    private var pending = CircularBuffer<Pending>()
    /// Replies received so far for the first pending request.
    private var headReplies: [RESPValue] = []
    private var received = ByteBuffer()
    /// The parser's last answer: parsing again before this many bytes are buffered is useless.
    private var neededLength = 1
    private var nextID: UInt64 = 0
    /// Set once the connection is closing; new and pending requests fail with it.
    private var closeReason: RedisError?

    init(limits: RedisConfiguration.ReplyLimits, isSubscriber: Bool, onPush: @escaping @Sendable (RESPValue) -> Void) {
        self.parser = RESPParser(limits: limits)
        self.isSubscriber = isSubscriber
        self.onPush = onPush
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closeReason {
            request.promise.fail(closeReason)
            promise?.fail(closeReason)
            return
        }
        var bytes: [UInt8] = []
        for command in request.commands { RESPEncoder.encode(command, into: &bytes) }
        let id = nextID
        nextID += 1
        let command = request.commands.count == 1 ? request.commands[0].name : "a pipeline of \(request.commands.count) commands"
        var timeoutTask: Scheduled<Void>?
        if let timeout = request.timeout {
            timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
                timedOut(id: id, after: timeout, context: context)
            }
        }
        pending.append(Pending(
            id: id, command: command, expected: CircularBuffer(request.replyCounts), isSubscription: request.isSubscription,
            promise: request.promise, timeoutTask: timeoutTask
        ))
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        while closeReason == nil, received.readableBytes >= neededLength {
            let result = received.withUnsafeReadableBytes { bytes in
                Result { () throws(RESPParseError) -> RESPParser.Outcome in try parser.parse(bytes) }
            }
            switch result {
            case .success(.value(let value, let consumed)):
                received.moveReaderIndex(forwardBy: consumed)
                neededLength = 1
                deliver(value, context: context)
            case .success(.needMoreData(let minimumLength)):
                neededLength = minimumLength
            case .failure(let error):
                fail(.protocolError(error), context: context)
                return
            }
            if case .success(.needMoreData) = result { break }
        }
        if received.readableBytes == 0 {
            received.clear()
        } else if received.readerIndex > 0 {
            received.discardReadBytes()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if closeReason == nil { closeReason = .connectionClosed(reason: "the connection was closed by its owner") }
        context.close(mode: mode, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed(reason: "the server closed the connection"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.connectionClosed(reason: "\(error)"), context: context)
    }

    private func deliver(_ value: RESPValue, context: ChannelHandlerContext) {
        if isOutOfBand(value) {
            onPush(value)
            return
        }
        guard pending.first != nil else {
            fail(.unexpectedReply(command: "no command", reply: "\(value)"), context: context)
            return
        }
        headReplies.append(value)
        let head = pending.startIndex
        // An error reply answers a whole subscribing command, however many channels it named.
        if pending[head].isSubscription, value.errorMessage != nil {
            pending[head].expected.removeFirst()
        } else {
            let command = pending[head].expected.startIndex
            pending[head].expected[command] -= 1
            if pending[head].expected[command] == 0 { pending[head].expected.removeFirst() }
        }
        guard pending[head].expected.isEmpty else { return }
        let done = pending.removeFirst()
        let replies = headReplies
        headReplies = []
        done.timeoutTask?.cancel()
        done.promise.succeed(replies)
    }

    /// Pushes are out of band unless they confirm the subscription the first request waits for;
    /// on a subscriber's connection, RESP2 arrays are out of band when they are published
    /// messages, or subscription notices nobody waits for.
    private func isOutOfBand(_ value: RESPValue) -> Bool {
        let waitingForConfirmation = pending.first?.isSubscription ?? false
        switch value {
        case .push(let items):
            return !(waitingForConfirmation && Self.isConfirmation(items))
        case .array(let items?) where isSubscriber:
            guard let kind = items.first?.string?.lowercased() else { return false }
            if Self.messageKinds.contains(kind) { return items.count >= 3 }
            return Self.isConfirmation(items) && !waitingForConfirmation
        default:
            return false
        }
    }

    private static let messageKinds: Set<String> = ["message", "pmessage", "smessage"]
    private static let confirmationKinds: Set<String> = [
        "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe",
    ]

    private static func isConfirmation(_ items: [RESPValue]) -> Bool {
        items.count == 3 && (items[0].string.map { confirmationKinds.contains($0.lowercased()) } ?? false)
    }

    private func timedOut(id: UInt64, after timeout: TimeAmount, context: ChannelHandlerContext) {
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return }
        let request = pending.remove(at: index)
        // Closed first, so the caller that sees the timeout finds the connection closed.
        fail(.connectionClosed(reason: "closed because \(request.command) got no reply within \(timeout.nanoseconds / 1_000_000) ms"), context: context)
        request.promise.fail(RedisError.timeout(command: request.command, after: timeout))
    }

    /// Fails every waiting request with `reason` (or the reason already recorded) and closes.
    private func fail(_ reason: RedisError, context: ChannelHandlerContext) {
        let reason = closeReason ?? reason
        closeReason = reason
        let failed = pending
        pending.removeAll()
        headReplies = []
        for request in failed {
            request.timeoutTask?.cancel()
            request.promise.fail(reason)
        }
        if context.channel.isActive { context.close(promise: nil) }
    }
}

@available(*, unavailable)
extension RedisChannelHandler: Sendable {}
