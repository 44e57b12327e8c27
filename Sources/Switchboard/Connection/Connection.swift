import NIOCore
import Synchronization

/// One open WebSocket connection: who it belongs to, and a way to send it frames.
///
/// Safe to use from any thread or task. Its ``identity`` can change while it lives (in-band
/// credential refresh); route handlers see it as the request's `connection`.
public final class Connection: ConnectionContext {
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

    /// Publishes pushes through the server in one go (see ``ConnectionContext/publish(_:)``).
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
    /// - Throws: ``FrameError`` when the frame cannot be encoded (e.g. an invalid url).
    public func send(_ frame: Frame) throws(FrameError) {
        let bytes = try FrameCodec.encode(frame)
        send(encodedFrame: bytes)
    }

    /// Sends bytes already encoded by ``FrameCodec``.
    public func send(encodedFrame bytes: [UInt8]) {
        send(encodedFrame: channel.allocator.buffer(bytes: bytes))
    }

    /// Sends a frame already encoded by ``FrameCodec`` into a buffer: encode once, then pass
    /// the same buffer to every recipient (buffers share their storage, nothing is copied).
    public func send(encodedFrame buffer: ByteBuffer) {
        let push = QueuedPush(payload: buffer, createdAt: RoomRegistry.millisecondsSince1970(), sequence: 0, ephemeralKey: nil)
        perform { $0.queuePush(push) }
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

    /// Queues an encoded push for this tick's write; must be called on ``eventLoop``.
    func queuePushOnEventLoop(_ push: QueuedPush<ByteBuffer>) {
        outbound.value?.queuePush(push)
    }

    /// Closes the TCP connection at once, without a close handshake.
    func forceClose() {
        channel.close(promise: nil)
    }
}
