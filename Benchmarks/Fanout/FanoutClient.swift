import NIOCore
import NIOPosix

/// The room's members: `count` WebSocket connections, spread in turn over the servers' ports,
/// opened a window at a time.
struct FanoutClient {
    /// Connections opened at once (the servers' listen backlog is 256).
    static let window = 200

    let channels: [any Channel]

    /// Opens `count` connections to 127.0.0.1, the i-th to `ports[i % ports.count]`, from
    /// 127.0.0.1 … 127.0.0.`sources`, and waits until every handshake is done.
    /// With `offersDeflate`, each handshake offers permessage-deflate, and each member checks its
    /// first compressed push against `expectedBody`.
    static func connect(ports: [Int], count: Int, sources: Int, offersDeflate: Bool, expectedBody: [UInt8], counter: DeliveryCounter, timeout: TimeAmount) throws -> FanoutClient {
        let group = MultiThreadedEventLoopGroup.singleton
        var channels: [any Channel] = []
        channels.reserveCapacity(count)
        while channels.count < count {
            let first = channels.count
            let batch = (first..<min(count, first + window)).map { index in
                open(
                    index: index, port: ports[index % ports.count], sources: sources, offersDeflate: offersDeflate, expectedBody: expectedBody,
                    counter: counter, group: group, timeout: timeout
                )
            }
            for future in batch { channels.append(try future.wait()) }
        }
        return FanoutClient(channels: channels)
    }

    private static func open(
        index: Int, port: Int, sources: Int, offersDeflate: Bool, expectedBody: [UInt8], counter: DeliveryCounter, group: MultiThreadedEventLoopGroup, timeout: TimeAmount
    ) -> EventLoopFuture<any Channel> {
        let loop = group.next()
        let upgraded = loop.makePromise(of: Void.self)
        let expiry = loop.scheduleTask(in: timeout) { upgraded.fail(ChannelError.connectTimeout(timeout)) }
        var bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        MemberHandler(counter: counter, upgraded: upgraded, host: "127.0.0.1", port: port, offersDeflate: offersDeflate, expectedBody: expectedBody)
                    )
                }
            }
        if sources > 1, let source = try? SocketAddress(ipAddress: "127.0.0.\(1 + index % sources)", port: 0) {
            bootstrap = bootstrap.channelOption(.socketOption(.so_reuseaddr), value: 1).bind(to: source)
        }
        return bootstrap.connect(host: "127.0.0.1", port: port).flatMap { channel in
            upgraded.futureResult.map { channel }
        }.always { _ in expiry.cancel() }
    }

    /// Pushes each member received: (fewest, most).
    func receivedRange() throws -> (min: Int, max: Int) {
        let counts = try channels.map { channel in
            channel.eventLoop.submit {
                try channel.pipeline.syncOperations.handler(type: MemberHandler.self).received
            }
        }.map { try $0.wait() }
        return (counts.min() ?? 0, counts.max() ?? 0)
    }

    /// Closes every connection.
    func close() {
        let closed = channels.map { $0.close() }
        for future in closed { try? future.wait() }
    }
}
