import NIOCore
import NIOWebSocket
import Synchronization
@_exported import SwitchboardCore

/// A Switchboard client over one WebSocket (protocol `switchboard.v1`, SwiftNIO, no Foundation
/// networking): requests with `await`, one-way messages, pushes by url pattern, rooms, and a
/// connection that reopens itself.
///
/// ```swift
/// var configuration = ClientConfiguration()
/// configuration.tokenProvider = { "demo-token" }
/// let client = try SwitchboardClient(url: "ws://127.0.0.1:8080/ws", configuration: configuration)
/// try await client.connect()
/// let board = try await client.get("/boards/7").decode(Board.self)
/// let subscription = client.on("/boards/:id/updated") { push in print(push.params["id"] ?? "", push.text) }
/// try await client.join("board-7")
/// ```
///
/// Calls made while the client is idle, connecting or reconnecting wait in a bounded send queue
/// and are sent in order once the socket opens. After ``close()`` every call fails at once with
/// ``SwitchboardClientError/closed``. Frames are handled on the connection's event loop; push
/// listeners run there too, in arrival order, and should return quickly.
///
/// Call ``close()`` when done: once connected, the connection loop keeps the client (and its
/// socket) alive until then.
public final class SwitchboardClient: Sendable {
    let configuration: ClientConfiguration
    let connector: Connector
    let eventLoop: any EventLoop
    let core = Mutex(ClientCore())
    let listeners: PushListeners

    /// A client for the server at `url` (`ws://host:port/path`, or `wss://` for TLS with
    /// ``ClientConfiguration/tls``; query allowed, e.g. `?features=…`); nothing is opened until
    /// ``connect()``.
    /// - Throws: ``SwitchboardClientError/invalidRequest(_:)`` when `url` is not a `ws://` or
    ///   `wss://` url, ``SwitchboardClientError/invalidTLSConfiguration(_:)`` when a `wss://`
    ///   url's TLS context cannot be made from ``ClientConfiguration/tls``.
    public init(url: String, configuration: ClientConfiguration = ClientConfiguration()) throws(SwitchboardClientError) {
        self.configuration = configuration
        self.eventLoop = configuration.eventLoopGroup.next()
        self.connector = try Connector(address: try ServerAddress(url), configuration: configuration, eventLoop: eventLoop)
        self.listeners = PushListeners(bufferSize: configuration.pushBufferSize)
    }

    /// The connection's state now.
    public var state: ConnectionState { core.withLock { $0.state } }

    /// Why the client closed for good: ``SwitchboardClientError/closed`` after ``close()``,
    /// ``SwitchboardClientError/handshakeRefused(status:reason:)`` or
    /// ``SwitchboardClientError/connectionFailed(_:)`` when reconnecting stopped; `nil` while it
    /// has not.
    public var closeReason: SwitchboardClientError? { core.withLock { $0.endReason } }

    /// The connection's states: the current one first, then each change, until the client is
    /// closed for good.
    public var states: AsyncStream<ConnectionState> {
        observe(\.stateObservers, initial: { $0.state })
    }

    /// A stream registered in `observers` (under the core's lock, first given `initial`'s value
    /// when there is one) and removed from it when its consumer stops; finished at once when the
    /// client is closed for good.
    func observe<Value: Sendable>(
        _ observers: WritableKeyPath<ClientCore, [Int: AsyncStream<Value>.Continuation]> & Sendable,
        initial: ((ClientCore) -> Value)? = nil
    ) -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream.makeStream(of: Value.self, bufferingPolicy: .bufferingNewest(64))
        let registered = core.withLock { core -> Int? in
            if let initial { continuation.yield(initial(core)) }
            guard core.state != .closed else { return nil }
            let id = core.nextObserverID
            core.nextObserverID += 1
            core[keyPath: observers][id] = continuation
            return id
        }
        if let id = registered {
            continuation.onTermination = { [weak self] _ in
                _ = self?.core.withLock { $0[keyPath: observers].removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return stream
    }

    /// Opens the connection and returns once the socket is open; with the ``ReconnectPolicy``
    /// it keeps trying (state `reconnecting(n)`) until it succeeds.
    /// Returns at once when already open.
    /// - Throws: ``SwitchboardClientError/handshakeRefused(status:reason:)`` when refused with
    ///   401/403 (after the token provider was asked again), ``SwitchboardClientError/connectionFailed(_:)``
    ///   when no attempts are left, ``SwitchboardClientError/closed`` after ``close()``.
    public func connect() async throws(SwitchboardClientError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, SwitchboardClientError>, Never>) in
            core.withLock { core in
                if let reason = core.endReason {
                    continuation.resume(returning: .failure(reason))
                    return
                }
                switch core.state {
                case .open:
                    continuation.resume(returning: .success(()))
                case .idle:
                    core.openWaiters.append(continuation)
                    core.enter(.connecting)
                    core.connectionLoop = Task { await self.runConnectionLoop() }
                default:
                    core.openWaiters.append(continuation)
                }
            }
        }
        try result.get()
    }

    /// Closes the connection for good: every queued or in-flight call fails with
    /// ``SwitchboardClientError/closed``, and so does every later call. Sends the pending ACKs
    /// and a WebSocket close (1000, which ends the server session: nothing to resume) and waits
    /// up to 1 s for the server's close before dropping the socket. Push sequences, ``states``
    /// and ``recoveries`` finish.
    public func close() async {
        let (channel, loop, items) = core.withLock { core -> ((any Channel)?, Task<Void, Never>?, [PendingItem]) in
            guard !core.hasEnded else { return (nil, nil, []) }
            core.endReason = .closed
            core.enter(.closing)
            sendAcks(core.delivery.takeAcks(), core: &core)
            let channel = core.channel
            core.channel = nil
            return (channel, core.connectionLoop, core.removeAllItems())
        }
        loop?.cancel()
        for item in items { item.complete(.failure(.closed)) }
        if let channel {
            var code = channel.allocator.buffer(capacity: 2)
            code.write(webSocketErrorCode: .normalClosure)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code), promise: nil)
            let fallback = channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
            try? await channel.closeFuture.get()
            fallback.cancel()
        }
        end(.closed)
    }

    /// Moves to `closed` for good with `reason`: fails what is left, wakes ``connect()``
    /// callers, finishes the state and push sequences.
    func end(_ reason: SwitchboardClientError) {
        let (endReason, items, waiters, observers) = core.withLock { core in
            let endReason = core.endReason ?? reason
            core.endReason = endReason
            core.channel = nil
            core.enter(.closed)
            core.ackTimer?.cancel()
            core.ackTimer = nil
            let observers = core.stateObservers.values
            core.stateObservers = [:]
            let recoveryObservers = core.recoveryObservers.values
            core.recoveryObservers = [:]
            let waiters = core.openWaiters
            core.openWaiters = []
            return (endReason, core.removeAllItems(), waiters, (Array(observers), Array(recoveryObservers)))
        }
        for item in items { item.complete(.failure(endReason)) }
        for waiter in waiters { waiter.resume(returning: .failure(endReason)) }
        for observer in observers.0 { observer.finish() }
        for observer in observers.1 { observer.finish() }
        listeners.finishAll()
    }
}

extension SwitchboardClient {
    /// How many calls wait in the send queue.
    var queuedCount: Int { core.withLock { $0.queue.count } }

    /// Closes the TCP connection without a WebSocket close frame, as a network failure would;
    /// the client reconnects and resumes. Returns once the socket is closed. For tests.
    func cutConnection() async {
        try? await core.withLock { $0.channel }?.close()
    }
}
