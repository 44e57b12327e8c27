import Logging
import MetricsTestKit
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Switchboard

@Suite("Connection metrics on an EmbeddedChannel")
struct ConnectionMetricsTests {
    struct EchoResponder: Responder {
        func respond(to request: Request) -> Dispatch { .completed(Reply(status: .ok, body: request.body)) }
    }

    private static let mask: WebSocketMaskingKey = [0, 0, 0, 0]

    private func makeChannel(_ metrics: TestMetrics, _ change: (inout Configuration) -> Void = { _ in }) throws -> EmbeddedChannel {
        var configuration = Configuration()
        configuration.pingInterval = nil
        configuration.metricsFactory = metrics
        change(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let components = ServerComponents(
            configuration: configuration, responder: EchoResponder(), authentication: nil, upgradeHook: nil, messageHandler: nil, logger: logger
        )
        let channel = EmbeddedChannel()
        let connection = Connection(id: ConnectionID("metrics-1"), clientId: nil, identity: nil, channel: channel, components: components)
        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(connection: connection, components: components, isCompressed: false))
        _ = try channel.readOutbound(as: WebSocketFrame.self)  // HELLO
        return channel
    }

    private func request(_ id: UInt32, body: [UInt8]) throws -> WebSocketFrame {
        let bytes = try FrameCodec.encode(.request(RequestFrame(method: .get, id: id, url: "/echo", data: body[...])))
        return WebSocketFrame(fin: true, opcode: .binary, maskKey: Self.mask, data: ByteBuffer(bytes: bytes))
    }

    @Test("answers held while the channel is not writable move the held-bytes gauge up, and back to 0 once written")
    func heldBytesGauge() throws {
        let metrics = TestMetrics()
        let channel = try makeChannel(metrics)
        channel.isWritable = false
        for id in UInt32(1)...3 { channel.pipeline.fireChannelRead(try request(id, body: [1, 2, 3])) }
        let held = try metrics.expectMeter(SwitchboardMetrics.outboundHeldBytes)
        #expect(held.values.count == 3)
        #expect(try #require(held.lastValue) > 0)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(held.lastValue == 0)
        #expect(try metrics.expectCounter(SwitchboardMetrics.requests, [("method", "GET"), ("route", "unmatched"), ("status", "200")]).totalValue == 3)
        _ = try channel.finish()
    }

    @Test("a slow consumer's close is counted and its held bytes leave the gauge")
    func slowConsumerClose() throws {
        let metrics = TestMetrics()
        let channel = try makeChannel(metrics) { $0.maxOutboundBufferSize = 100 }
        channel.isWritable = false
        let body = [UInt8](repeating: 0x61, count: 60)
        for id in UInt32(1)...2 { channel.pipeline.fireChannelRead(try request(id, body: body)) }
        #expect(try metrics.expectCounter(SwitchboardMetrics.slowConsumerCloses).totalValue == 1)
        #expect(try metrics.expectMeter(SwitchboardMetrics.outboundHeldBytes).lastValue == 0)
        _ = try? channel.finish()
        #expect(try metrics.expectMeter(SwitchboardMetrics.openConnections).lastValue == 0)
    }
}
