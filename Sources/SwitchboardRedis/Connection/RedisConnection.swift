public import Logging
public import NIOCore
import NIOPosix

/// One connection to a Redis server, for commands.
///
/// Any number of tasks may send on it at once: commands are written in the order `send` is
/// called and are pipelined (all in flight together, replies matched in order). Each call waits
/// at most ``RedisConfiguration/commandTimeout``; a timeout closes the connection.
///
/// It does not reconnect: once closed, every `send` fails with
/// ``RedisError/connectionClosed(reason:)``; open a new one.
///
/// Blocking commands (`BLPOP`, `XREAD BLOCK`, `WAIT`) hold the connection until they return, so
/// run them on a connection of their own, whose ``RedisConfiguration/commandTimeout`` is longer
/// than the block (or `nil`). Subscribing needs a ``RedisSubscriber``.
public final class RedisConnection: Sendable {
    /// The protocol the server agreed to: RESP3 only when it was asked for and `HELLO 3`
    /// succeeded.
    public let protocolVersion: RedisConfiguration.ProtocolVersion
    /// The configuration the connection was opened with.
    public let configuration: RedisConfiguration
    let channel: any Channel

    private init(channel: any Channel, configuration: RedisConfiguration, protocolVersion: RedisConfiguration.ProtocolVersion) {
        self.channel = channel
        self.configuration = configuration
        self.protocolVersion = protocolVersion
    }

    /// Opens a connection to `configuration.host:port` and runs the handshake: `AUTH` when a
    /// password is set, `HELLO 3` when RESP3 is asked for, `SELECT` when the database is not 0
    /// (one round trip).
    ///
    /// - Throws: ``RedisError/connectionFailed(host:port:reason:)``,
    ///   ``RedisError/authenticationFailed(message:)`` (also when the server needs a password and
    ///   none is set), ``RedisError/server(message:)`` when `SELECT` fails, or
    ///   ``RedisError/timeout(command:after:)`` after ``RedisConfiguration/connectTimeout``.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "switchboard.redis")
    ) async throws(RedisError) -> RedisConnection {
        try await connect(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger, isSubscriber: false) { _ in }
    }

    /// Opens a connection whose out-of-band frames go to `onPush`, called on its event loop.
    static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        isSubscriber: Bool,
        onPush: @escaping @Sendable (RESPValue) -> Void
    ) async throws(RedisError) -> RedisConnection {
        let limits = configuration.replyLimits
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(limits: limits, isSubscriber: isSubscriber, onPush: onPush))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw .connectionFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        do {
            let version = try await handshake(on: channel, configuration: configuration)
            logger.debug("connected to Redis", metadata: [
                "redis.address": "\(configuration.host):\(configuration.port)", "redis.protocol": "\(version)",
            ])
            return RedisConnection(channel: channel, configuration: configuration, protocolVersion: version)
        } catch {
            try? await channel.close().get()
            throw error
        }
    }

    private static func handshake(
        on channel: any Channel,
        configuration: RedisConfiguration
    ) async throws(RedisError) -> RedisConfiguration.ProtocolVersion {
        var commands: [RedisCommand] = []
        if let password = configuration.password {
            commands.append(RedisCommand("AUTH", [configuration.username, password].compactMap { $0 }))
        }
        if configuration.protocolVersion == .resp3 { commands.append(RedisCommand("HELLO", "3")) }
        if configuration.database != 0 { commands.append(RedisCommand("SELECT", String(configuration.database))) }
        guard !commands.isEmpty else { return .resp2 }
        var replies = try await submit(commands, on: channel, timeout: configuration.connectTimeout)[...]
        if configuration.password != nil, let message = replies.popFirst()?.errorMessage {
            throw .authenticationFailed(message: message)
        }
        var version = RedisConfiguration.ProtocolVersion.resp2
        if configuration.protocolVersion == .resp3, let reply = replies.popFirst() {
            if let message = reply.errorMessage {
                // A server that needs a password refuses HELLO with NOAUTH; any other refusal
                // (an unknown command before Redis 6, NOPROTO) leaves the connection on RESP2.
                if message.hasPrefix("NOAUTH") { throw .authenticationFailed(message: message) }
            } else {
                version = .resp3
            }
        }
        if let message = replies.popFirst()?.errorMessage {
            if message.hasPrefix("NOAUTH") { throw .authenticationFailed(message: message) }
            throw .server(message: message)
        }
        return version
    }

    /// Sends one command and returns its reply.
    ///
    /// - Throws: ``RedisError/server(message:)`` when the reply is an error reply, and every
    ///   other ``RedisError`` when the connection fails.
    @discardableResult
    public func send(_ command: RedisCommand) async throws(RedisError) -> RESPValue {
        let reply = try await send([command])[0]
        if let message = reply.errorMessage { throw .server(message: message) }
        return reply
    }

    /// Sends one command, given as its name and text arguments, and returns its reply.
    @discardableResult
    public func send(_ name: String, _ arguments: String...) async throws(RedisError) -> RESPValue {
        try await send(RedisCommand(name, arguments))
    }

    /// Sends `commands` in one write and returns their replies in the same order (one round
    /// trip). Error replies are returned as ``RESPValue/error(_:)`` values, so one failing
    /// command does not hide the others' replies.
    ///
    /// - Throws: ``RedisError/commandNotAllowed(command:reason:)`` for subscribing commands and
    ///   `MONITOR`, before anything is sent; otherwise a ``RedisError`` only when the connection
    ///   fails or times out.
    public func send(_ commands: [RedisCommand]) async throws(RedisError) -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        for command in commands {
            let name = command.name
            if RedisRequest.subscribingCommands.contains(name) {
                throw .commandNotAllowed(command: name, reason: "subscribing needs a RedisSubscriber")
            }
            if name == "MONITOR" {
                throw .commandNotAllowed(command: name, reason: "MONITOR turns the connection into a stream")
            }
        }
        return try await Self.submit(commands, on: channel, timeout: configuration.commandTimeout)
    }

    /// Sends `commands` in one write without waiting: for callers that are not async (the
    /// future completes on the connection's event loop, in the order commands were sent). Same
    /// rules and errors as ``send(_:)-([RedisCommand])``; error replies are values.
    public func enqueue(_ commands: [RedisCommand]) -> EventLoopFuture<[RESPValue]> {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        for command in commands where RedisRequest.subscribingCommands.contains(command.name) || command.name == "MONITOR" {
            promise.fail(RedisError.commandNotAllowed(command: command.name, reason: "not allowed on a command connection"))
            return promise.futureResult
        }
        let request = RedisRequest(commands: commands, isSubscription: false, timeout: configuration.commandTimeout, promise: promise)
        channel.writeAndFlush(request).whenFailure { promise.fail(RedisError.connectionClosed(reason: "\($0)")) }
        return promise.futureResult
    }

    /// The event loop the connection's replies complete on.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends subscribing commands; resolves `promise` with their confirmations.
    func subscribe(_ commands: [RedisCommand], promise: EventLoopPromise<[RESPValue]>) {
        let request = RedisRequest(
            commands: commands, isSubscription: true, timeout: configuration.commandTimeout, promise: promise
        )
        channel.writeAndFlush(request).whenFailure { promise.fail(RedisError.connectionClosed(reason: "\($0)")) }
    }

    /// Sends `PING` without waiting for its reply; no reply within the command timeout closes
    /// the connection.
    func ping() {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let request = RedisRequest(
            commands: [RedisCommand("PING")], isSubscription: false, timeout: configuration.commandTimeout, promise: promise
        )
        channel.writeAndFlush(request).whenFailure { promise.fail($0) }
    }

    private static func submit(
        _ commands: [RedisCommand],
        on channel: any Channel,
        timeout: TimeAmount?
    ) async throws(RedisError) -> [RESPValue] {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let request = RedisRequest(
            commands: commands, isSubscription: false, timeout: timeout, promise: promise
        )
        channel.writeAndFlush(request).whenFailure { promise.fail(RedisError.connectionClosed(reason: "\($0)")) }
        return try await RedisError.awaiting(promise.futureResult)
    }

    /// Closes the connection; commands still waiting fail with
    /// ``RedisError/connectionClosed(reason:)``.
    public func close() async {
        try? await channel.close().get()
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { channel.isActive }
}

extension RedisError {
    /// The future's value, with any failure as a ``RedisError``.
    static func awaiting<Value: Sendable>(_ future: EventLoopFuture<Value>) async throws(RedisError) -> Value {
        do {
            return try await future.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw .connectionClosed(reason: "\(error)")
        }
    }
}
