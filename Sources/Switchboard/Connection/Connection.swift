import NIOCore
import Synchronization

/// One open WebSocket connection: who it belongs to, and a way to send it frames.
///
/// Safe to use from any thread or task. Its ``identity`` can change while it lives (in-band
/// credential refresh); route handlers see it as the request's `connection`.
public final class Connection: ConnectionContext, SubscribingConnection {
    /// Pushes (and SUBSCRIBE frames) waiting to be written, queued from any thread in the
    /// order they were published; written by the handler once per event-loop tick, or before
    /// a response.
    private struct Outbox {
        var pushes: [QueuedPush<ByteBuffer>] = []
        var sequence: UInt64 = 0
        /// Whether a write task is scheduled on the event loop.
        var scheduled = false
        var closed = false
    }

    /// The connection's id, unique across the cluster.
    public let id: ConnectionID
    /// The client app instance's effective id, decided at the handshake (by the upgrade hook,
    /// or namespaced by user from the `clientId` query parameter, or random; see
    /// PROTOCOL.md, "Handshake"); never `nil` on a server connection.
    public let clientId: String?
    /// The peer's address.
    public let remoteAddress: SocketAddress?
    private let state: Mutex<Identity?>
    private let channel: any Channel
    private let outbound: NIOLoopBoundBox<ConnectionHandler?>
    private let components: ServerComponents
    private let outbox = Mutex(Outbox())

    init(id: ConnectionID, clientId: String?, identity: Identity?, channel: any Channel, components: ServerComponents) {
        self.id = id
        self.clientId = clientId
        self.remoteAddress = channel.remoteAddress
        self.state = Mutex(identity)
        self.channel = channel
        self.outbound = NIOLoopBoundBox(nil, eventLoop: channel.eventLoop)
        self.components = components
    }

    /// The server's rooms (``Server/rooms``).
    public var roomRegistry: RoomRegistry { components.rooms }

    /// Publishes pushes through the server in one go (see `ConnectionContext/publish(_:)`).
    public func publish(_ pushes: [Push]) {
        components.publish(pushes)
    }

    /// Who the connection belongs to; `nil` when anonymous. Its `expiresAt` may have passed:
    /// check `isExpired` (auth middleware answers 401 then, and the client refreshes).
    public var identity: Identity? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Sends `frame` (typically a push) to this connection alone, through its push queue (so it
    /// may share a batch with other pushes of the same event-loop tick).
    /// - Throws: `FrameError` when the frame cannot be encoded (e.g. an invalid url).
    public func send(_ frame: Frame) throws(FrameError) {
        let bytes = try FrameCodec.encode(frame)
        send(encodedFrame: bytes)
    }

    /// Sends bytes already encoded by `FrameCodec`.
    public func send(encodedFrame bytes: [UInt8]) {
        send(encodedFrame: channel.allocator.buffer(bytes: bytes))
    }

    /// Sends a frame already encoded by `FrameCodec` into a buffer: encode once, then pass
    /// the same buffer to every recipient (buffers share their storage, nothing is copied).
    public func send(encodedFrame buffer: ByteBuffer) {
        queue(QueuedPush(payload: buffer, createdAt: RoomRegistry.millisecondsSince1970(), sequence: 0, latestKey: nil))
    }

    /// Joins `room` (checked by the access policy) and queues a SUBSCRIBE frame carrying
    /// `requestId` and the room's position, ahead of the room's next pushes (see
    /// `Request.subscribe(to:)`).
    public func subscribe(to room: RoomName, requestId: UInt32) throws(RoomJoinRefusal) -> RoomPosition {
        try components.publisher.subscribe(self, to: room) { position in
            let notice = SubscribeNotice(room: room.rawValue, epoch: position.epoch, offset: position.offset)
            let frame = Frame.control(ControlFrame(kind: .subscribe, id: requestId, data: notice.json[...]))
            guard let bytes = try? FrameCodec.encode(frame) else { return }
            queue(QueuedPush(payload: channel.allocator.buffer(bytes: bytes), createdAt: 0, sequence: 0, latestKey: nil, historyRoom: room.rawValue))
        }
    }

    /// Closes the connection with a WebSocket close `code` (default 1000, normal closure) and
    /// a short `reason`, e.g. to sign a user out everywhere.
    public func close(code: UInt16 = 1000, reason: String = "") {
        perform { $0.close(code: .init(codeNumber: Int(code)), reason: reason) }
    }

    func attach(_ handler: ConnectionHandler) {
        outbound.value = handler
    }

    func detach() {
        outbound.value = nil
    }

    func beginShutdown() {
        perform { $0.beginShutdown() }
    }

    private func perform(_ body: @escaping @Sendable (ConnectionHandler) -> Void) {
        let eventLoop = channel.eventLoop
        if eventLoop.inEventLoop {
            if let handler = outbound.value { body(handler) }
        } else {
            let outbound = self.outbound
            eventLoop.execute {
                if let handler = outbound.value { body(handler) }
            }
        }
    }
}

extension Connection {
    /// The event loop the connection's channel runs on.
    var eventLoop: any EventLoop { channel.eventLoop }

    /// Queues an encoded push from any thread, keeping the order of calls; `true` when the
    /// caller must make sure ``writeQueuedPushes()`` runs on ``eventLoop`` (the first push
    /// since the last scheduled write).
    func enqueue(_ push: QueuedPush<ByteBuffer>) -> Bool {
        outbox.withLock { outbox in
            guard !outbox.closed else {
                components.observer.metrics.pushesDropped.increment()
                return false
            }
            var push = push
            outbox.sequence &+= 1
            push.sequence = outbox.sequence
            outbox.pushes.append(push)
            guard !outbox.scheduled else { return false }
            outbox.scheduled = true
            return true
        }
    }

    /// Queues an encoded push and schedules its write.
    func queue(_ push: QueuedPush<ByteBuffer>) {
        guard enqueue(push) else { return }
        let connection = self
        channel.eventLoop.execute { connection.writeQueuedPushes() }
    }

    /// The scheduled write: on ``eventLoop``, the handler writes what is queued.
    func writeQueuedPushes() {
        if let handler = outbound.value {
            handler.writePushes()
        } else {
            components.observer.metrics.pushesDropped.increment(by: takePushes(scheduled: true).count)
        }
    }

    /// Takes everything queued; `scheduled` when called by the scheduled write (a later push
    /// then schedules a new one).
    func takePushes(scheduled: Bool) -> [QueuedPush<ByteBuffer>] {
        outbox.withLock { outbox in
            if scheduled { outbox.scheduled = false }
            defer { outbox.pushes.removeAll(keepingCapacity: outbox.pushes.count <= 64) }
            return outbox.pushes
        }
    }

    /// Drops what is queued and refuses later pushes: the connection has closed.
    func closeOutbox() {
        let dropped = outbox.withLock { outbox in
            outbox.closed = true
            defer { outbox.pushes = [] }
            return outbox.pushes.count
        }
        components.observer.metrics.pushesDropped.increment(by: dropped)
    }

    /// Closes the TCP connection at once, without a close handshake.
    func forceClose() {
        channel.close(promise: nil)
    }
}
