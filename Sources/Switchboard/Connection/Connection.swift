import NIOCore
import Synchronization

/// One open WebSocket connection: who it belongs to, and a way to send it frames.
///
/// Safe to use from any thread or task. Its ``identity`` can change while it lives (in-band
/// credential refresh); route handlers see it as the request's `connection`.
public final class Connection: ConnectionContext, SubscribingConnection {
    /// The connection's id, unique across the cluster.
    public let id: ConnectionID
    /// The client app instance's effective id, decided at the handshake (by the upgrade hook,
    /// or namespaced by user from the `clientId` query parameter, or random; see
    /// PROTOCOL.md, "Handshake"); never `nil` on a server connection.
    public let clientId: String?
    /// The peer's address.
    public var remoteAddress: SocketAddress? { channel.remoteAddress }
    private let state: Mutex<Identity?>
    private let channel: any Channel
    /// The event loop the connection's channel runs on.
    var eventLoop: any EventLoop { channel.eventLoop }
    /// The handler while the connection is open. Read and written only on ``eventLoop``
    /// (checked in debug builds): kept inline rather than in a loop-bound box, one allocation
    /// less per connection.
    nonisolated(unsafe) private var handler: ConnectionHandler?
    private let components: ServerComponents
    private let outbox = Mutex(PushOutbox())

    init(id: ConnectionID, clientId: String?, identity: Identity?, channel: any Channel, components: ServerComponents) {
        self.id = id
        self.clientId = clientId
        self.state = Mutex(identity)
        self.channel = channel
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
    /// Changed only by ``changeIdentity(to:)``.
    public var identity: Identity? { state.withLock { $0 } }

    /// Changes who the connection belongs to (in-band credential refresh): the one path that
    /// does, keeping the connection, its registry entry (user index, expiry, so auth-gated
    /// pushes reach it again) and its user room together. An anonymous connection signing in
    /// joins its user's room.
    func changeIdentity(to identity: Identity) {
        let previous = state.withLock { state in
            defer { state = identity }
            return state
        }
        let registry = components.registry
        if registry.get(id)?.userId == nil {
            registry.add(id: id, handle: self, userId: identity.userId)
        }
        if previous?.userId != identity.userId {
            if let user = previous?.userId { _ = components.rooms.leave(.user(user), id) }
            _ = components.rooms.join(.user(identity.userId), id)
        }
        registry.refresh(id, expiresAt: identity.expiresAt)
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Sends `frame` (typically a push) to this connection alone, through its push queue (so it
    /// may share a batch with other pushes of the same event-loop tick).
    /// - Throws: `FrameError` when the frame cannot be encoded (e.g. an invalid url).
    public func send(_ frame: Frame) throws(FrameError) {
        let encoded = try ServerFrame(encoding: frame, allocator: channel.allocator)
        queue(QueuedPush(payload: encoded, createdAt: RoomRegistry.millisecondsSince1970(), sequence: 0, latestKey: nil))
    }

    /// Sends bytes already encoded by `FrameCodec` (framed for the socket once per call: to send
    /// one push to many connections, publish it, e.g. `Server/push(_:to:)`, which frames it
    /// once for all of them).
    public func send(encodedFrame bytes: [UInt8]) {
        queue(QueuedPush(payload: ServerFrame(encoded: bytes, allocator: channel.allocator), createdAt: RoomRegistry.millisecondsSince1970(), sequence: 0, latestKey: nil))
    }

    /// Joins `room` (checked by the access policy) and queues a SUBSCRIBE frame carrying
    /// `requestId` and the room's position, ahead of the room's next pushes (see
    /// `Request.subscribe(to:)`).
    public func subscribe(to room: RoomName, requestId: UInt32) throws(RoomJoinRefusal) -> RoomPosition {
        try components.publisher.subscribe(self, to: room) { position in
            let notice = SubscribeNotice(room: room.rawValue, epoch: position.epoch, offset: position.offset)
            guard let encoded = try? ServerFrame(encoding: notice.frame(id: requestId), allocator: channel.allocator) else { return }
            queue(QueuedPush(payload: encoded, createdAt: 0, sequence: 0, latestKey: nil, historyRoom: room.rawValue))
        }
    }

    /// Closes the connection with a WebSocket close `code` (default 1000, normal closure) and
    /// a short `reason`, e.g. to sign a user out everywhere.
    public func close(code: UInt16 = 1000, reason: String = "") {
        perform { $0.close(code: .init(codeNumber: Int(code)), reason: reason) }
    }

    func attach(_ handler: ConnectionHandler) {
        eventLoop.assertInEventLoop()
        self.handler = handler
    }

    func detach() {
        eventLoop.assertInEventLoop()
        handler = nil
    }

    func beginShutdown() {
        perform { $0.beginShutdown() }
    }

    private func perform(_ body: @escaping @Sendable (ConnectionHandler) -> Void) {
        let eventLoop = channel.eventLoop
        if eventLoop.inEventLoop {
            if let handler { body(handler) }
        } else {
            eventLoop.execute {
                if let handler = self.handler { body(handler) }
            }
        }
    }
}

extension Connection {

    /// Queues a push from any thread, keeping the order of calls; `true` when the caller must
    /// make sure ``writeQueuedPushes()`` runs on ``eventLoop`` (the first push since the last
    /// scheduled write).
    func enqueue(_ push: QueuedPush<ServerFrame>) -> Bool {
        switch outbox.withLock({ $0.enqueue(push) }) {
        case .queuedFirst: return true
        case .queued: return false
        case .dropped:
            components.observer.metrics.pushesDropped.increment()
            return false
        }
    }

    /// Queues a push and schedules its write.
    func queue(_ push: QueuedPush<ServerFrame>) {
        guard enqueue(push) else { return }
        let connection = self
        channel.eventLoop.execute { connection.writeQueuedPushes() }
    }

    /// The scheduled write: on ``eventLoop``, the handler writes what is queued.
    func writeQueuedPushes() {
        eventLoop.assertInEventLoop()
        if let handler {
            handler.writePushes()
        } else {
            var dropped: [QueuedPush<ServerFrame>] = []
            takePushes(into: &dropped, scheduled: true)
            components.observer.metrics.pushesDropped.increment(by: dropped.count)
        }
    }

    /// Moves everything queued into `taken` (empty); `scheduled` when called by the scheduled
    /// write (a later push then schedules a new one).
    func takePushes(into taken: inout [QueuedPush<ServerFrame>], scheduled: Bool) {
        outbox.withLock { $0.take(into: &taken, scheduled: scheduled) }
    }

    /// Drops what is queued and refuses later pushes: the connection has closed.
    func closeOutbox() {
        components.observer.metrics.pushesDropped.increment(by: outbox.withLock { $0.close() })
    }

    /// Closes the TCP connection at once, without a close handshake.
    func forceClose() {
        channel.close(promise: nil)
    }
}
