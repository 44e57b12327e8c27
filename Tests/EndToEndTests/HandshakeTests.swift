import Foundation
import NIOCore
import Switchboard
import Testing

@Suite("The handshake: authentication, origin, subprotocol, capacity")
struct HandshakeTests {
    static let authentication = TokenAuthentication { token in
        switch token {
        case "alice-token": Identity(userId: "alice")
        case "alice-new": Identity(userId: "alice", expiresAt: Date().addingTimeInterval(3600))
        // Long enough to connect and join on a loaded machine.
        case "alice-short": Identity(userId: "alice", expiresAt: Date().addingTimeInterval(4))
        case "bob-token": Identity(userId: "bob")
        case "expired": Identity(userId: "alice", expiresAt: Date().addingTimeInterval(-1))
        default: nil
        }
    }

    @Test("a handshake without credentials is refused with 401 and a reason, and no WebSocket is opened")
    func refusedWithoutCredentials() async throws {
        let running = try await RunningServer.start(authentication: Self.authentication)
        let (answer, client) = try await WebSocketTestClient.handshake(port: running.port)
        #expect(client == nil)
        #expect(answer.status == 401)
        #expect(answer.body.contains("missing credentials"))
        #expect(answer.headers["upgrade"] == nil)
        #expect(running.server.connections.isEmpty)
        try await running.stop()
    }

    @Test("a bad or expired token is refused with 401")
    func refusedBadToken() async throws {
        let running = try await RunningServer.start(authentication: Self.authentication)
        let (bad, _) = try await WebSocketTestClient.handshake(port: running.port, headers: [("Authorization", "Bearer nope")])
        #expect(bad.status == 401)
        #expect(bad.body.contains("invalid token"))
        let (expired, _) = try await WebSocketTestClient.handshake(port: running.port, path: "/ws?token=expired")
        #expect(expired.status == 401)
        #expect(expired.body.contains("expired"))
        try await running.stop()
    }

    @Test("a token in the Authorization header, the query or a cookie becomes the connection's identity")
    func tokenSources() async throws {
        let running = try await RunningServer.start(authentication: Self.authentication)
        for (path, headers) in [
            ("/ws", [("Authorization", "Bearer alice-token")]),
            ("/ws?token=alice-token", []),
            ("/ws", [("Cookie", "theme=dark; token=alice-token")]),
        ] {
            let (answer, client) = try await WebSocketTestClient.handshake(port: running.port, path: path, headers: headers)
            #expect(answer.status == 101)
            let whoami = try #require(try await client?.request(.get, "/whoami"))
            #expect(String(decoding: whoami.data, as: UTF8.self) == "alice")
            client?.close()
        }
        try await running.stop()
    }

    @Test("the upgrade hook sees the request and can refuse with 403")
    func upgradeHook() async throws {
        let running = try await RunningServer.start(upgrade: { request in
            guard request.header("X-Team") == "blue" else { return .refuse(status: .forbidden, reason: "blue team only") }
            return .accept(identity: Identity(userId: request.query["user"] ?? "?"), clientId: "tab-1")
        })
        let (refused, _) = try await WebSocketTestClient.handshake(port: running.port, headers: [("X-Team", "red")])
        #expect(refused.status == 403)
        #expect(refused.body == #"{"error":"blue team only"}"#)
        let (accepted, client) = try await WebSocketTestClient.handshake(port: running.port, path: "/ws?user=carol", headers: [("X-Team", "blue")])
        #expect(accepted.status == 101)
        let whoami = try #require(try await client?.request(.get, "/whoami"))
        #expect(String(decoding: whoami.data, as: UTF8.self) == "carol")
        #expect(running.server.connections.first?.clientId == "tab-1")
        client?.close()
        try await running.stop()
    }

    @Test("a handshake offering no subprotocol or another one is refused with 400 naming switchboard.v1")
    func subprotocol() async throws {
        let running = try await RunningServer.start()
        let (none, _) = try await WebSocketTestClient.handshake(port: running.port, subprotocol: nil)
        #expect(none.status == 400)
        #expect(none.body.contains("switchboard.v1"))
        let (other, _) = try await WebSocketTestClient.handshake(port: running.port, subprotocol: "chat, mqtt")
        #expect(other.status == 400)
        #expect(other.body.contains("chat"))
        let (several, client) = try await WebSocketTestClient.handshake(port: running.port, subprotocol: "switchboard.v2, switchboard.v1")
        #expect(several.status == 101)
        #expect(several.headers["sec-websocket-protocol"] == "switchboard.v1")
        client?.close()
        try await running.stop()
    }

    @Test("an origin outside the allow-list is refused with 403")
    func origins() async throws {
        var configuration = Configuration()
        configuration.allowedOrigins = ["https://app.example"]
        let running = try await RunningServer.start(configuration: configuration)
        let (refused, _) = try await WebSocketTestClient.handshake(port: running.port, headers: [("Origin", "https://evil.example")])
        #expect(refused.status == 403)
        let (allowed, client) = try await WebSocketTestClient.handshake(port: running.port, headers: [("Origin", "https://app.example")])
        #expect(allowed.status == 101)
        client?.close()
        try await running.stop()
    }

    @Test("beyond the maximum number of connections a handshake is refused with 503")
    func maxConnections() async throws {
        var configuration = Configuration()
        configuration.maxConnections = 2
        let running = try await RunningServer.start(configuration: configuration)
        let first = try await WebSocketTestClient.connect(port: running.port)
        let second = try await WebSocketTestClient.connect(port: running.port)
        let (refused, third) = try await WebSocketTestClient.handshake(port: running.port)
        #expect(third == nil)
        #expect(refused.status == 503)
        #expect(refused.body.contains("capacity"))
        first.close()
        #expect(await first.waitUntilDisconnected())
        #expect(await running.eventually { running.server.connections.count == 1 })
        // The slot comes back when the channel's close completes, a moment after the connection
        // left the registry.
        var again: WebSocketTestClient?
        for _ in 0..<200 where again == nil {
            again = try? await WebSocketTestClient.connect(port: running.port)
            if again == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(again != nil)
        again?.close()
        second.close()
        try await running.stop()
    }

    @Test("the WebSocket path's neighbours answer plain HTTP: 404, or a static file")
    func plainHTTP() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("<h1>hi</h1>".utf8).write(to: folder.appendingPathComponent("index.html"))
        try Data("secret".utf8).write(to: folder.appendingPathComponent(".env"))

        let bare = try await RunningServer.start()
        let (notFound, _) = try await WebSocketTestClient.handshake(port: bare.port, path: "/", upgrade: false)
        #expect(notFound.status == 404)
        try await bare.stop()

        var configuration = Configuration()
        configuration.staticFilesFolder = folder.path
        let running = try await RunningServer.start(configuration: configuration)
        let (index, _) = try await WebSocketTestClient.handshake(port: running.port, path: "/", upgrade: false)
        #expect(index.status == 200)
        #expect(index.body == "<h1>hi</h1>")
        #expect(index.headers["content-type"] == "text/html; charset=utf-8")
        for path in ["/.env", "/../../etc/passwd", "/%2e%2e/etc/passwd", "/missing.js"] {
            let (answer, _) = try await WebSocketTestClient.handshake(port: running.port, path: path, upgrade: false)
            #expect(answer.status == 404, "\(path)")
        }
        let (upgradeElsewhere, _) = try await WebSocketTestClient.handshake(port: running.port, path: "/other")
        #expect(upgradeElsewhere.status == 404)
        try await running.stop()
    }

    @Test("fresh credentials handed over in-band replace an expired identity without reconnecting")
    func credentialRefresh() async throws {
        let running = try await RunningServer.start(authentication: Self.authentication)
        let client = try await WebSocketTestClient.connect(port: running.port, headers: [("Authorization", "Bearer alice-short")])
        #expect(try await client.request(.get, "/whoami", id: 1).status == .ok)
        // Once the identity expires, protected routes answer 401 and the socket stays open.
        var status = Status.ok
        for _ in 0..<120 where status == .ok {
            try await Task.sleep(for: .milliseconds(100))
            status = try await client.request(.get, "/whoami", id: 2).status
        }
        #expect(status == .unauthorized)

        let wrong = try await client.request(.post, CredentialRefresh.path, body: "nope", id: 3)
        #expect(wrong.status == .unauthorized)
        let otherUser = try await client.request(.post, CredentialRefresh.path, body: #"{"token":"bob-token"}"#, id: 4)
        #expect(otherUser.status == .forbidden)
        let refreshed = try await client.request(.post, CredentialRefresh.path, body: "alice-new", id: 5)
        #expect(refreshed.status == .ok)
        #expect(String(decoding: refreshed.data, as: UTF8.self).contains(#""userId":"alice""#))
        let whoami = try await client.request(.get, "/whoami", id: 6)
        #expect(whoami.status == .ok)
        client.close()
        try await running.stop()
    }
}
