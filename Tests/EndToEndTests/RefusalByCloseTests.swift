import Foundation
import NIOCore
import Switchboard
import Testing

@Suite("A refused handshake told as a close (refusal=close), for browsers")
struct RefusalByCloseTests {
    static let authentication = TokenAuthentication { token in
        switch token {
        case "alice-token": Identity(userId: "alice")
        case "expired": Identity(userId: "alice", expiresAt: Date().addingTimeInterval(-1))
        default: nil
        }
    }

    @Test("with refusal=close a missing, invalid or expired token upgrades and closes at once with 4401 and the reason; no connection is counted")
    func tokenRefusals() async throws {
        let running = try await RunningServer.start(authentication: Self.authentication)
        for (path, reason) in [
            ("/ws?refusal=close", "missing credentials: send Authorization: Bearer <token>, a token query parameter or a token cookie"),
            ("/ws?refusal=close&token=nope", "invalid token"),
            ("/ws?token=expired&refusal=close", "token expired"),
        ] {
            let (answer, client) = try await WebSocketTestClient.handshake(port: running.port, path: path)
            #expect(answer.status == 101, "\(path)")
            #expect(answer.headers["sec-websocket-protocol"] == FrameCodec.subprotocol)
            #expect(answer.headers["switchboard-client-id"] == nil)
            let close = await client?.nextClose()
            #expect(close?.code == 4401, "\(path)")
            #expect(close?.reason == reason, "\(path)")
            #expect(await client?.waitUntilDisconnected() == true)
            #expect(running.server.connections.isEmpty)
        }
        try await running.stop()
    }

    @Test("without refusal=close, or with refusal=http, the refusal stays an HTTP answer; an unknown value is refused with 400")
    func httpByDefault() async throws {
        let running = try await RunningServer.start(authentication: Self.authentication)
        for path in ["/ws?token=nope", "/ws?token=nope&refusal=http"] {
            let (answer, client) = try await WebSocketTestClient.handshake(port: running.port, path: path)
            #expect(client == nil)
            #expect(answer.status == 401)
            #expect(answer.body == #"{"error":"invalid token"}"#)
        }
        let (unknown, client) = try await WebSocketTestClient.handshake(port: running.port, path: "/ws?token=alice-token&refusal=yes")
        #expect(client == nil)
        #expect(unknown.status == 400)
        #expect(unknown.body.contains("refusal=close or refusal=http"))
        try await running.stop()
    }

    @Test("refusals of the request's form stay HTTP with refusal=close: 426 for a wrong version, 404 for a wrong path, 400 without the subprotocol")
    func protocolRefusalsStayHTTP() async throws {
        let running = try await RunningServer.start(authentication: Self.authentication)
        let (wrongPath, _) = try await WebSocketTestClient.handshake(port: running.port, path: "/other?refusal=close")
        #expect(wrongPath.status == 404)
        let (noSubprotocol, _) = try await WebSocketTestClient.handshake(port: running.port, path: "/ws?refusal=close", subprotocol: nil)
        #expect(noSubprotocol.status == 400)
        let connection = try await RawTCPConnection.connect(port: running.port)
        let answer = try await connection.exchange("GET /ws?refusal=close HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Protocol: switchboard.v1\r\n\r\n")
        #expect(answer?.status == 426)
        try await running.stop()
    }

    @Test("a foreign origin with refusal=close gets 4403 and nothing usable: frames it sends are not processed")
    func originRefusal() async throws {
        var configuration = Configuration()
        configuration.allowedOrigins = ["https://app.example"]
        let running = try await RunningServer.start(configuration: configuration)
        // The client does not answer the close, so the socket stays open for its frame.
        let (answer, client) = try await WebSocketTestClient.handshake(
            port: running.port, path: "/ws?refusal=close", headers: [("Origin", "https://evil.example")], answersCloses: false
        )
        #expect(answer.status == 101)
        let refused = try #require(client)
        try await refused.send(.request(RequestFrame(method: .post, id: 1, url: "/echo", data: ArraySlice("hi".utf8))))
        var events: [WebSocketTestClient.Event] = []
        while let event = await refused.next(timeout: .seconds(5)) {
            events.append(event)
            if event == .disconnected { break }
        }
        #expect(events.first == .close(code: 4403, reason: "origin https://evil.example is not allowed"))
        #expect(!events.contains { if case .frame = $0 { true } else { false } })
        #expect(events.last == .disconnected)
        #expect(running.server.connections.isEmpty)
        try await running.stop()
    }

    @Test("at capacity refusal=close gets 4503; the refused socket never holds a slot, and one that ignores the close is closed by the pending deadline")
    func capacity() async throws {
        var configuration = Configuration()
        configuration.maxConnections = 1
        // Long enough for a handshake on a loaded machine, far below the close timeout.
        configuration.handshakeTimeout = .seconds(2)
        configuration.closeHandshakeTimeout = .seconds(60)
        let running = try await RunningServer.start(configuration: configuration)
        let first = try await WebSocketTestClient.connect(port: running.port)
        let (answer, client) = try await WebSocketTestClient.handshake(port: running.port, path: "/ws?refusal=close", answersCloses: false)
        #expect(answer.status == 101)
        let refused = try #require(client)
        let close = await refused.nextClose()
        #expect(close?.code == 4503)
        #expect(close?.reason == "server at capacity (1 connections); retry later")
        // The refused socket stays open (it ignores the close) but holds no slot: closing the
        // first connection makes room for a new one at once.
        first.close()
        #expect(await first.waitUntilDisconnected())
        #expect(refused.channel.isActive)
        #expect(await running.eventually { running.server.connections.isEmpty })
        let again = try await WebSocketTestClient.connect(port: running.port)
        #expect(try await again.request(.post, "/echo", body: "room").status == .ok)
        // Still pending: the handshake deadline closes it, well before the close timeout.
        #expect(await refused.waitUntilDisconnected(timeout: .seconds(20)))
        again.close()
        try await running.stop()
    }

    @Test("the upgrade hook's refusal is told with 4000 + its status")
    func hookRefusal() async throws {
        let running = try await RunningServer.start(upgrade: { _ in .refuse(status: .forbidden, reason: "banned") })
        let (answer, client) = try await WebSocketTestClient.handshake(port: running.port, path: "/ws?refusal=close")
        #expect(answer.status == 101)
        let close = await client?.nextClose()
        #expect(close?.code == 4403)
        #expect(close?.reason == "banned")
        try await running.stop()
    }
}
