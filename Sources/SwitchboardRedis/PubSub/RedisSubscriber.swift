public import Logging
public import NIOCore
import NIOPosix
import Synchronization

/// A connection dedicated to pub/sub: it subscribes to channels and patterns and reports every
/// published message, in order, to its event handler.
///
/// When the connection is lost (closed, or silent to a `PING` every
/// ``RedisConfiguration/subscriberPingInterval``) it reports ``Event/disconnected(_:)``, reconnects with
/// exponential backoff (``RedisConfiguration/reconnectBackoff``, forever until ``close()``),
/// subscribes again to every channel and pattern it had, and then reports
/// ``Event/reconnected``. Messages published while it was disconnected are lost (Redis pub/sub
/// keeps nothing), so an owner that registers state in Redis must register it again on
/// ``Event/reconnected``.
///
/// In RESP3 (``RedisConfiguration/protocolVersion``) messages arrive as push frames, in RESP2 as
/// arrays of the subscribed mode; both give the same events.
public final class RedisSubscriber: Sendable {
    /// What a subscriber reports to its event handler.
    public enum Event: Sendable, Equatable {
        /// A message published to a subscribed channel or to one matching a subscribed pattern.
        case message(RedisPubSubMessage)
        /// The connection was lost; reconnecting has started.
        case disconnected(RedisError)
        /// The connection is back and every channel and pattern is subscribed again.
        case reconnected
    }

    private struct State {
        var channels: Set<String> = []
        var patterns: Set<String> = []
        var connection: RedisConnection?
        var closed = false
    }

    private let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let onEvent: @Sendable (Event) -> Void
    private let state = Mutex(State())

    private init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        onEvent: @escaping @Sendable (Event) -> Void
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.onEvent = onEvent
    }

    /// Opens a subscriber connection (with the same handshake as ``RedisConnection``).
    ///
    /// `onEvent` is called on the connection's event loop, one event at a time, in the order
    /// the server sent them; it must not block.
    ///
    /// - Throws: the ``RedisError``s of ``RedisConnection/connect(configuration:eventLoopGroup:logger:)``;
    ///   only later losses are retried.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "switchboard.redis.subscriber"),
        onEvent: @escaping @Sendable (Event) -> Void
    ) async throws(RedisError) -> RedisSubscriber {
        let subscriber = RedisSubscriber(
            configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger, onEvent: onEvent
        )
        let connection = try await subscriber.openConnection()
        subscriber.state.withLock { $0.connection = connection }
        subscriber.watch(connection)
        return subscriber
    }

    /// The channels subscribed (or to be subscribed again after a reconnect).
    public var channels: Set<String> { state.withLock { $0.channels } }
    /// The patterns subscribed (or to be subscribed again after a reconnect).
    public var patterns: Set<String> { state.withLock { $0.patterns } }

    /// Subscribes to `channels` and returns once the server confirmed them.
    ///
    /// The channels are recorded first: when the connection is down they are subscribed on
    /// reconnect, and this returns at once; when it drops while waiting, this throws
    /// ``RedisError/connectionClosed(reason:)`` and they are still subscribed on reconnect.
    /// - Throws: ``RedisError/server(message:)`` when the server refuses (the channels are then
    ///   forgotten).
    public func subscribe(_ channels: [String]) async throws(RedisError) {
        try await change("SUBSCRIBE", channels) { $0.channels.formUnion(channels) } undo: { $0.channels.subtract(channels) }
    }

    /// Unsubscribes from `channels`; they are forgotten even when the server cannot be told.
    public func unsubscribe(_ channels: [String]) async throws(RedisError) {
        try await change("UNSUBSCRIBE", channels) { $0.channels.subtract(channels) } undo: { _ in }
    }

    /// Subscribes to the glob-style `patterns` (`room.*`); see ``subscribe(_:)``.
    public func psubscribe(_ patterns: [String]) async throws(RedisError) {
        try await change("PSUBSCRIBE", patterns) { $0.patterns.formUnion(patterns) } undo: { $0.patterns.subtract(patterns) }
    }

    /// Unsubscribes from `patterns`; see ``unsubscribe(_:)``.
    public func punsubscribe(_ patterns: [String]) async throws(RedisError) {
        try await change("PUNSUBSCRIBE", patterns) { $0.patterns.subtract(patterns) } undo: { _ in }
    }

    /// Sends ordinary commands on the subscriber's own connection, without waiting: on RESP3
    /// (``RedisConfiguration/protocolVersion``), Redis answers them in subscribed mode, and
    /// their replies and the published messages come in the one order the server produced
    /// them. The future completes on the connection's event loop, before any event the server
    /// sent after the replies.
    ///
    /// Fails with ``RedisError/connectionClosed(reason:)`` while disconnected, and with
    /// ``RedisError/commandNotAllowed(command:reason:)`` on RESP2 or for subscribing commands.
    public func enqueue(_ commands: [RedisCommand]) -> EventLoopFuture<[RESPValue]> {
        let loop = eventLoopGroup.any()
        guard let connection = state.withLock({ $0.closed ? nil : $0.connection }) else {
            return loop.makeFailedFuture(RedisError.connectionClosed(reason: "the subscriber is not connected"))
        }
        guard connection.protocolVersion == .resp3 else {
            return loop.makeFailedFuture(RedisError.commandNotAllowed(command: commands.first?.name ?? "", reason: "commands on a subscriber connection need RESP3 (Redis 6 or later)"))
        }
        return connection.enqueue(commands)
    }

    /// Whether the subscriber is connected now (not closed, not reconnecting).
    public var isConnected: Bool { state.withLock { !$0.closed && $0.connection?.isOpen == true } }

    /// Closes the connection and stops reconnecting; no event follows.
    public func close() async {
        let connection = state.withLock { state in
            state.closed = true
            defer { state.connection = nil }
            return state.connection
        }
        await connection?.close()
    }

    private func change(
        _ command: String,
        _ names: [String],
        record: (inout State) -> Void,
        undo: (inout State) -> Void
    ) async throws(RedisError) {
        guard !names.isEmpty else { return }
        // Recording and writing under one lock keeps the commands on the wire in the order of
        // the recorded changes, also against a reconnect subscribing everything again.
        let promise = state.withLock { state -> EventLoopPromise<[RESPValue]>? in
            record(&state)
            guard !state.closed, let connection = state.connection else { return nil }
            let promise = connection.channel.eventLoop.makePromise(of: [RESPValue].self)
            connection.subscribe([RedisCommand(command, names)], promise: promise)
            return promise
        }
        guard let promise else { return }
        let replies = try await RedisError.awaiting(promise.futureResult)
        if let message = replies.lazy.compactMap(\.errorMessage).first {
            state.withLock { undo(&$0) }
            throw .server(message: message)
        }
    }

    private func openConnection() async throws(RedisError) -> RedisConnection {
        let onEvent = self.onEvent
        return try await RedisConnection.connect(
            configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger, isSubscriber: true
        ) { frame in
            if let message = RedisPubSubMessage(frame: frame) { onEvent(.message(message)) }
        }
    }

    /// Starts reconnecting when `connection` closes while it is the current one, and pings it
    /// every ``RedisConfiguration/subscriberPingInterval`` until then.
    private func watch(_ connection: RedisConnection) {
        if let interval = configuration.subscriberPingInterval {
            let pings = connection.channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                connection.ping()
            }
            connection.channel.closeFuture.whenComplete { _ in pings.cancel() }
        }
        connection.channel.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            let lost = state.withLock { state in
                guard !state.closed, state.connection === connection else { return false }
                state.connection = nil
                return true
            }
            guard lost else { return }
            let address = "\(configuration.host):\(configuration.port)"
            logger.warning("Redis subscriber connection lost; reconnecting", metadata: ["redis.address": "\(address)"])
            onEvent(.disconnected(.connectionClosed(reason: "the connection to \(address) was lost")))
            Task { await self.reconnect() }
        }
    }

    private func reconnect() async {
        var attempt = 0
        while !state.withLock({ $0.closed }) {
            let delay = configuration.reconnectBackoff.delay(beforeAttempt: attempt)
            try? await Task.sleep(for: .nanoseconds(delay.nanoseconds))
            attempt += 1
            do {
                let connection = try await openConnection()
                try await resubscribe(connection)
                logger.info("Redis subscriber reconnected", metadata: ["redis.attempts": "\(attempt)"])
                return
            } catch {
                logger.warning("Redis subscriber reconnect failed", metadata: [
                    "redis.attempt": "\(attempt)", "redis.error": "\(error)",
                ])
            }
        }
    }

    /// Makes `connection` the current one and subscribes it to everything again;
    /// ``Event/reconnected`` is reported on the event loop as soon as the last confirmation is
    /// read, before any message after it.
    private func resubscribe(_ connection: RedisConnection) async throws(RedisError) {
        let onEvent = self.onEvent
        let promise = connection.channel.eventLoop.makePromise(of: [RESPValue].self)
        promise.futureResult.whenSuccess { replies in
            if !replies.contains(where: { $0.errorMessage != nil }) { onEvent(.reconnected) }
        }
        let current = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.connection = connection
            var commands: [RedisCommand] = []
            if !state.channels.isEmpty { commands.append(RedisCommand("SUBSCRIBE", Array(state.channels))) }
            if !state.patterns.isEmpty { commands.append(RedisCommand("PSUBSCRIBE", Array(state.patterns))) }
            if commands.isEmpty {
                promise.succeed([])
            } else {
                connection.subscribe(commands, promise: promise)
            }
            return true
        }
        guard current else {
            promise.fail(RedisError.connectionClosed(reason: "the subscriber was closed"))
            await connection.close()
            return
        }
        let replies = try await RedisError.awaiting(promise.futureResult)
        if let message = replies.lazy.compactMap(\.errorMessage).first {
            await connection.close()
            throw .server(message: message)
        }
        watch(connection)
    }
}
