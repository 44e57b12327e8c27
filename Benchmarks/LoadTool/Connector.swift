import NIOCore
import NIOPosix

/// One open WebSocket of the load tool: its channel and its handler (confined to the
/// channel's event loop).
struct LoadConnection: Sendable {
    /// The TCP channel.
    let channel: any Channel
    /// The handler that sends requests and counts responses.
    let handler: NIOLoopBound<LoadConnectionHandler>

    /// Runs `body` with the handler on its event loop.
    func withHandler<Result: Sendable>(_ body: @escaping @Sendable (LoadConnectionHandler) -> Result) async throws -> Result {
        let handler = self.handler
        return try await channel.eventLoop.submit { body(handler.value) }.get()
    }
}

/// Opens WebSocket connections to a ``LoadTarget``, a bounded number at a time, optionally
/// from several loopback source addresses (so 10,000s of connections do not run out of
/// ephemeral ports on one).
struct Connector: Sendable {
    /// Why a connection could not be opened.
    struct Timeout: Error, CustomStringConvertible {
        var description: String { "the WebSocket handshake did not complete within 10 s" }
    }

    let group: any EventLoopGroup
    let target: LoadTarget
    /// Source addresses to bind, used in turn; empty lets the kernel choose.
    let sourceHosts: [String]
    let makeHandler: @Sendable () -> LoadConnectionHandler

    /// Opens one connection; `index` picks its source address.
    func open(index: Int) async throws -> LoadConnection {
        let eventLoop = group.next()
        let upgraded = eventLoop.makePromise(of: NIOLoopBound<LoadConnectionHandler>.self)
        let hostHeader = "\(target.host.contains(":") ? "[\(target.host)]" : target.host):\(target.port)"
        let path = target.path
        let makeHandler = self.makeHandler
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ClientHandshakeHandler(host: hostHeader, path: path, subprotocol: "switchboard.v1", upgraded: upgraded, makeHandler: makeHandler)
                    )
                }
            }
        if !sourceHosts.isEmpty {
            bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: sourceHosts[index % sourceHosts.count], port: 0))
        }
        let timeout = eventLoop.scheduleTask(in: .seconds(10)) { upgraded.fail(Timeout()) }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: target.socketAddress()).get()
        } catch {
            timeout.cancel()
            upgraded.fail(error)
            throw error
        }
        do {
            let handler = try await upgraded.futureResult.get()
            timeout.cancel()
            return LoadConnection(channel: channel, handler: handler)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Opens `count` connections, at most `parallel` handshakes at a time; throws the first
    /// failure after closing what was opened.
    func open(count: Int, parallel: Int = 64) async throws -> [LoadConnection] {
        try await withThrowingTaskGroup(of: LoadConnection.self) { tasks in
            var opened: [LoadConnection] = []
            opened.reserveCapacity(count)
            var next = 0
            do {
                while next < min(parallel, count) {
                    let index = next
                    tasks.addTask { try await open(index: index) }
                    next += 1
                }
                while let connection = try await tasks.next() {
                    opened.append(connection)
                    if next < count {
                        let index = next
                        tasks.addTask { try await open(index: index) }
                        next += 1
                    }
                }
            } catch {
                tasks.cancelAll()
                while let connection = try? await tasks.next() { opened.append(connection) }
                for connection in opened { connection.channel.close(promise: nil) }
                throw error
            }
            return opened
        }
    }
}
