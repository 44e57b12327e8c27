import Foundation
import NIOCore
import NIOWebSocket
import Switchboard
import TLSTestSupport
import Testing

/// permessage-deflate (RFC 7692) over real sockets: negotiation, compressed answers and pushes,
/// compressed requests, and the inflated-size limit.
@Suite("Compression end to end")
struct CompressionTests {
    static let offer = [("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")]

    static func start(_ settings: CompressionSettings? = CompressionSettings(), maxMessageSize: Int = 1 << 20) async throws -> RunningServer {
        var configuration = Configuration()
        configuration.compression = settings
        configuration.maxMessageSize = maxMessageSize
        return try await RunningServer.start(configuration: configuration)
    }

    /// A JSON document of about `size` bytes.
    static func json(size: Int) -> [UInt8] {
        var items: [String] = []
        var length = 2
        var index = 0
        while length < size - 64 {
            let item = #"{"id":\#(index),"name":"item \#(index)","price":\#(index * 37 % 1000).5,"tags":["a","b"]}"#
            items.append(item)
            length += item.utf8.count + 1
            index += 1
        }
        return Array("[\(items.joined(separator: ","))]".utf8)
    }

    /// Waits for the HELLO (compressed or not, by its size) and returns how many compressed
    /// messages arrived so far.
    static func compressedSoFar(_ client: WebSocketTestClient) async throws -> Int {
        _ = try #require(await client.hello())
        return client.wire.compressedMessages
    }

    static func request(_ url: String, body: [UInt8] = [], id: UInt32 = 1) throws -> [UInt8] {
        try FrameCodec.encode(.request(RequestFrame(method: .get, id: id, url: url, data: ArraySlice(body))))
    }

    @Test("an offer is accepted when compression is configured: large answers come compressed and intact, small ones as they are")
    func negotiated() async throws {
        let running = try await Self.start()
        let client = try await WebSocketTestClient.connect(port: running.port, headers: Self.offer)
        #expect(client.answer.headers["sec-websocket-extensions"] == "permessage-deflate")
        let hello = try await Self.compressedSoFar(client)
        let small = try await client.request(.get, "/echo", body: "hi")
        #expect(String(decoding: small.data, as: UTF8.self) == "hi")
        #expect(client.wire.compressedMessages == hello)
        for id in UInt32(1)...3 {
            let big = try await client.request(.get, "/big?bytes=5000", id: id)
            #expect(big.data.count == 5000 && big.data.allSatisfy { $0 == UInt8(ascii: "x") })
        }
        // The second and third lean on the first's history (context takeover).
        #expect(client.wire.compressedMessages == hello + 3)
        client.close()
        try await running.stop()
    }

    @Test("without Configuration.compression an offer is ignored and nothing is compressed")
    func off() async throws {
        let running = try await Self.start(nil)
        let client = try await WebSocketTestClient.connect(port: running.port, headers: Self.offer)
        #expect(client.answer.headers["sec-websocket-extensions"] == nil)
        let big = try await client.request(.get, "/big?bytes=5000")
        #expect(big.data.count == 5000)
        #expect(client.wire.compressedMessages == 0)
        client.close()
        try await running.stop()
    }

    @Test("the answer carries the accepted parameters, and answers stay intact without context takeover")
    func parameters() async throws {
        let running = try await Self.start()
        let offers = [("Sec-WebSocket-Extensions", "permessage-deflate; server_max_window_bits=8, permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10")]
        let client = try await WebSocketTestClient.connect(port: running.port, headers: offers)
        #expect(
            client.answer.headers["sec-websocket-extensions"]
                == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10"
        )
        let hello = try await Self.compressedSoFar(client)
        for id in UInt32(1)...3 {
            #expect(try await client.request(.get, "/big?bytes=3000", id: id).data.count == 3000)
        }
        #expect(client.wire.compressedMessages == hello + 3)
        client.close()
        try await running.stop()
    }

    @Test("compressed requests are inflated, whole or in fragments")
    func compressedRequests() async throws {
        let running = try await Self.start()
        let client = try await WebSocketTestClient.connect(port: running.port, headers: Self.offer)
        let body = Self.json(size: 2048)
        try await client.sendCompressed(ClientDeflate.deflated(Self.request("/echo", body: body, id: 5)))
        guard case .response(let whole) = try await client.nextFrame() else { Issue.record("no response"); return }
        #expect(whole.id == 5 && Array(whole.data) == body)

        var compressed = try ClientDeflate.deflated(Self.request("/echo", body: body, id: 6))
        let first = compressed.readSlice(length: compressed.readableBytes / 2) ?? ByteBuffer()
        try await client.sendCompressed(first, fin: false)
        try await client.sendCompressed(compressed, opcode: .continuation)
        guard case .response(let fragmented) = try await client.nextFrame() else { Issue.record("no response"); return }
        #expect(fragmented.id == 6 && Array(fragmented.data) == body)
        client.close()
        try await running.stop()
    }

    @Test("a 2 KiB JSON push reaches several compressing members intact, in fewer bytes than uncompressed")
    func compressedPush() async throws {
        var settings = CompressionSettings()
        settings.serverNoContextTakeover = true
        let running = try await Self.start(settings)
        var members: [WebSocketTestClient] = []
        for _ in 0..<3 { members.append(try await WebSocketTestClient.connect(port: running.port, headers: Self.offer)) }
        let plain = try await WebSocketTestClient.connect(port: running.port)
        for client in members + [plain] { _ = await client.hello() }
        try await Task.sleep(for: .milliseconds(100))
        let before = (members + [plain]).map(\.wire.inboundBytes)
        let compressedBefore = (members + [plain]).map(\.wire.compressedMessages)
        let body = Self.json(size: 2048)
        try running.server.broadcast(PushMessage(url: "/catalog", body: body))
        for client in members + [plain] {
            let pushes = await client.pushes(count: 1)
            #expect(pushes.count == 1 && Array(pushes.first?.data ?? []) == body)
        }
        let received = zip(members + [plain], before).map { $0.wire.inboundBytes - $1 }
        #expect(zip(members, compressedBefore).allSatisfy { $0.wire.compressedMessages == $1 + 1 })
        #expect(plain.wire.compressedMessages == 0)
        #expect(Set(received.dropLast()).count == 1)
        #expect(received[0] < received[3] / 2)
        print("wire bytes for a \(body.count)-byte JSON push: compressed \(received[0]), uncompressed \(received[3])")
        for client in members + [plain] { client.close() }
        try await running.stop()
    }

    @Test("a message that inflates beyond maxMessageSize closes with 1009")
    func decompressionBomb() async throws {
        let running = try await Self.start(maxMessageSize: 64 << 10)
        let client = try await WebSocketTestClient.connect(port: running.port, headers: Self.offer)
        let bomb = try ClientDeflate.deflated(Self.request("/echo", body: [UInt8](repeating: 0, count: 8 << 20)))
        #expect(bomb.readableBytes < 64 << 10)
        try await client.sendCompressed(bomb)
        let close = await client.nextClose()
        #expect(close?.code == 1009)
        #expect(close?.reason == "message larger than 65536 bytes once inflated")
        #expect(await client.waitUntilDisconnected())
        try await running.stop()
    }

    @Test("a fragmented message that inflates beyond maxMessageSize closes with 1009")
    func fragmentedBomb() async throws {
        let running = try await Self.start(maxMessageSize: 64 << 10)
        let client = try await WebSocketTestClient.connect(port: running.port, headers: Self.offer)
        var bomb = try ClientDeflate.deflated(Self.request("/echo", body: [UInt8](repeating: 0, count: 8 << 20)))
        let first = bomb.readSlice(length: bomb.readableBytes / 2) ?? ByteBuffer()
        try await client.sendCompressed(first, fin: false)
        try? await client.sendCompressed(bomb, opcode: .continuation)
        #expect(await client.nextClose()?.code == 1009)
        try await running.stop()
    }

    @Test("a compressed message that is not deflate data closes with 1007")
    func corrupt() async throws {
        let running = try await Self.start()
        let client = try await WebSocketTestClient.connect(port: running.port, headers: Self.offer)
        try await client.sendCompressed(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x12]))
        let close = await client.nextClose()
        #expect(close?.code == 1007)
        #expect(close?.reason == "compressed message is not valid deflate data")
        try await running.stop()
    }

    @Test("compression and TLS together")
    func overTLS() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        var configuration = Configuration()
        configuration.tls = try certificates.serverSettings()
        configuration.compression = CompressionSettings()
        let running = try await RunningServer.start(configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port, headers: Self.offer, tls: try certificates.clientContext())
        let hello = try await Self.compressedSoFar(client)
        #expect(try await client.request(.get, "/big?bytes=4000").data.count == 4000)
        #expect(client.wire.compressedMessages == hello + 1)
        client.close()
        try await running.stop()
    }
}
