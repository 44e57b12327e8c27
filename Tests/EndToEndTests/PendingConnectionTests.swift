import Foundation
import NIOCore
import Switchboard
import Testing

@Suite("Connections that are not WebSockets: bounded in number and in time")
struct PendingConnectionTests {
    private static let stalledBody = "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nabc"
    private static let stalledChunks = "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"
    private static let stalledHead = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

    @Test("300 stalled plain HTTP requests hold at most maxPendingConnections sockets, and a WebSocket client still connects and is answered")
    func stalledFlood() async throws {
        var configuration = Configuration()
        configuration.maxPendingConnections = 32
        configuration.maxConnections = 4
        configuration.handshakeTimeout = .seconds(60)
        let running = try await RunningServer.start(configuration: configuration)
        var stalled: [RawTCPConnection] = []
        for index in 0..<300 {
            let connection = try await RawTCPConnection.connect(port: running.port)
            try await connection.send(index.isMultiple(of: 2) ? Self.stalledBody : Self.stalledChunks)
            stalled.append(connection)
        }
        // Each connection beyond the bound closed the longest-waiting one. Connections are
        // registered on their own event loops, so on a loaded machine two opened back to back
        // may be registered in the other order: the 32 still open are among the newest, not
        // necessarily exactly the last 32.
        #expect(await running.eventually { stalled.filter(\.isClosed).count == 300 - 32 })
        #expect(stalled.prefix(300 - 64).allSatisfy { $0.isClosed }, "the oldest are the ones closed")

        let client = try await WebSocketTestClient.connect(port: running.port)
        let echo = try await client.request(.post, "/echo", body: "still here")
        #expect(echo.status == .ok)
        #expect(String(decoding: echo.data, as: UTF8.self) == "still here")
        // The newcomer displaced exactly one staller; the rest still wait for their deadline.
        #expect(await running.eventually { stalled.filter(\.isClosed).count == 300 - 32 + 1 })
        client.close()
        for connection in stalled { connection.close() }
        try await running.stop()
    }

    @Test("a request whose body, chunked body or head never ends is closed at handshakeTimeout")
    func stalledRequestTimesOut() async throws {
        var configuration = Configuration()
        configuration.handshakeTimeout = .milliseconds(300)
        let running = try await RunningServer.start(configuration: configuration)
        for request in [Self.stalledBody, Self.stalledChunks, Self.stalledHead] {
            // The deadline runs from the accept, which comes after `start`: however loaded the
            // machine, the socket cannot close before the full timeout has passed.
            let clock = ContinuousClock()
            let start = clock.now
            let connection = try await RawTCPConnection.connect(port: running.port)
            // On a loaded machine the deadline may pass before the request is written: the
            // socket is then already closed, which the checks below still hold to.
            try? await connection.send(request)
            #expect(await connection.waitUntilClosed(timeout: .seconds(5)), "\(request)")
            #expect(clock.now - start >= .milliseconds(290), "\(request)")
        }
        try await running.stop()
    }

    @Test("a WebSocket stays open past handshakeTimeout")
    func webSocketOutlivesDeadline() async throws {
        var configuration = Configuration()
        // Long enough for the handshake itself while the whole suite runs in parallel.
        configuration.handshakeTimeout = .seconds(3)
        let running = try await RunningServer.start(configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await Task.sleep(for: .milliseconds(3500))
        #expect(try await client.request(.post, "/echo", body: "ok").status == .ok)
        client.close()
        try await running.stop()
    }

    @Test("shutdown closes stalled plain HTTP connections at once, not at their deadline")
    func shutdownClosesPending() async throws {
        var configuration = Configuration()
        configuration.handshakeTimeout = .seconds(60)
        let running = try await RunningServer.start(configuration: configuration)
        let connection = try await RawTCPConnection.connect(port: running.port)
        try await connection.send(Self.stalledBody)
        let clock = ContinuousClock()
        let start = clock.now
        try await running.stop()
        #expect(await connection.waitUntilClosed(timeout: .seconds(5)))
        #expect(clock.now - start < .seconds(5))
    }
}
