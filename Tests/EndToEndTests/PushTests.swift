import Foundation
import Switchboard
import Testing

@Suite("Pushes through rooms to real connections")
struct PushTests {
    private func pushes(_ client: WebSocketTestClient, expected: Int) async -> [PushFrame] {
        var received: [PushFrame] = []
        while received.count < expected, case .frame(.push(let push)) = await client.next(timeout: .seconds(2)) {
            received.append(push)
        }
        return received
    }

    @Test("a push to a user reaches all of that user's connections and nobody else's")
    func userRoom() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication)
        let tab1 = try await WebSocketTestClient.connect(port: running.port, headers: [("Authorization", "Bearer alice-token")])
        let tab2 = try await WebSocketTestClient.connect(port: running.port, headers: [("Authorization", "Bearer alice-token")])
        let bob = try await WebSocketTestClient.connect(port: running.port, headers: [("Authorization", "Bearer bob-token")])
        #expect(await running.eventually { running.server.registry.count == 3 })

        let recipients = try running.server.push(PushMessage(url: "/inbox", body: Array("hi alice".utf8)), to: .user("alice"))
        #expect(recipients.count == 2)
        for tab in [tab1, tab2] {
            let received = await pushes(tab, expected: 1)
            #expect(received.first?.url == "/inbox")
            #expect(received.first?.room == "user-alice")
            #expect(received.first.map { String(decoding: $0.data, as: UTF8.self) } == "hi alice")
        }
        try running.server.push(PushMessage(url: "/all", body: []), to: .everyone(excluding: nil))
        #expect(await pushes(bob, expected: 1).map(\.url) == ["/all"])
        for client in [tab1, tab2, bob] { client.close() }
        #expect(await running.eventually { running.server.registry.count == 0 && running.server.rooms.count == 0 })
        try await running.stop()
    }

    @Test("signing a user out closes each of their connections with 1008")
    func disconnectUser() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication)
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: [("Authorization", "Bearer alice-token")])
        let bob = try await WebSocketTestClient.connect(port: running.port, headers: [("Authorization", "Bearer bob-token")])
        #expect(await running.eventually { running.server.registry.count == 2 })
        #expect(running.server.disconnect(user: "alice", reason: "password changed").count == 1)
        let close = await alice.nextClose()
        #expect(close?.code == 1008)
        #expect(close?.reason == "password changed")
        #expect(try await bob.request(.get, "/whoami").status == .ok)
        bob.close()
        try await running.stop()
    }
}
