import Foundation
import Switchboard
import Testing

@Suite("Client ids: decided by the server, so no connection can take another's client room")
struct ClientIdTests {
    private static func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    private static func connect(_ port: Int, clientId: String?, token: String?) async throws -> (client: WebSocketTestClient, clientId: String) {
        let path = clientId.map { "/ws?clientId=\($0)" } ?? "/ws"
        let (answer, client) = try await WebSocketTestClient.handshake(port: port, path: path, headers: token.map(bearer) ?? [])
        let open = try #require(client, "handshake answered \(answer.status) \(answer.body)")
        return (open, try #require(answer.headers["switchboard-client-id"]))
    }

    @Test("an authenticated client id is namespaced by its user and returned in Switchboard-Client-Id")
    func namespacedByUser() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication)
        let alice = try await Self.connect(running.port, clientId: "tab1", token: "alice-token")
        let bob = try await Self.connect(running.port, clientId: "tab1", token: "bob-token")
        #expect(alice.clientId == "alice.tab1")
        #expect(bob.clientId == "bob.tab1")
        let unnamed = try await Self.connect(running.port, clientId: nil, token: "alice-token")
        #expect(unnamed.clientId.hasPrefix("alice.~"))
        #expect(Set(running.server.connections.compactMap(\.clientId)) == [alice.clientId, bob.clientId, unnamed.clientId])
        for client in [alice.client, bob.client, unnamed.client] { client.close() }
        try await running.stop()
    }

    @Test("a user connecting with another user's client id does not receive that client's pushes")
    func noHijackByClientId() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication)
        let alice = try await Self.connect(running.port, clientId: "tab1", token: "alice-token")
        let bobSameName = try await Self.connect(running.port, clientId: "tab1", token: "bob-token")
        let bobFullName = try await Self.connect(running.port, clientId: alice.clientId, token: "bob-token")
        #expect(bobFullName.clientId != alice.clientId)
        #expect(await running.eventually { running.server.registry.count == 3 })
        let aliceConnection = try #require(running.server.connections.first { $0.clientId == alice.clientId })

        let recipients = try running.server.sendToIndividual(aliceConnection.id, PushMessage(url: "/private", body: Array("for alice".utf8)))
        #expect(recipients == [aliceConnection.id])
        guard case .frame(.push(let push))? = await alice.client.next(timeout: .seconds(2)) else {
            Issue.record("alice got no push")
            return
        }
        #expect(push.url == "/private")
        #expect(push.room == "client-alice.tab1")
        for bob in [bobSameName.client, bobFullName.client] {
            #expect(await bob.next(timeout: .milliseconds(300)) == nil)
        }
        for client in [alice.client, bobSameName.client, bobFullName.client] { client.close() }
        try await running.stop()
    }

    @Test("anonymous connections get random client ids whatever they ask for")
    func anonymousRandom() async throws {
        let running = try await RunningServer.start()
        let first = try await Self.connect(running.port, clientId: "tab1", token: nil)
        let second = try await Self.connect(running.port, clientId: "tab1", token: nil)
        for id in [first.clientId, second.clientId] {
            #expect(id.hasPrefix("~"))
            #expect(id.count == 33)
        }
        #expect(first.clientId != second.clientId)
        #expect(try running.server.sendToGroup(.client(first.clientId), PushMessage(url: "/x")).count == 1)
        #expect(await second.client.next(timeout: .milliseconds(300)) == nil)
        first.client.close()
        second.client.close()
        try await running.stop()
    }

    @Test("joining another connection's client room or another user's room by name is refused with 403, whatever the policy")
    func reservedRoomsRefused() async throws {
        for policy in [RoomAccessPolicy.ownRoomsOnly, .everyRoom] {
            let running = try await RunningServer.start(authentication: HandshakeTests.authentication, rooms: RoomRegistry(policy: policy))
            let alice = try await Self.connect(running.port, clientId: "tab1", token: "alice-token")
            let bob = try await Self.connect(running.port, clientId: "tab1", token: "bob-token")
            for (id, room) in ["client-\(alice.clientId)", "user-alice", "client-tab1"].enumerated() {
                let refused = try await bob.client.request(.post, ReservedRoutes.join, body: #"{"room":"\#(room)"}"#, id: UInt32(id + 1))
                #expect(refused.status == .forbidden, "\(room)")
                #expect(String(decoding: refused.data, as: UTF8.self).contains("client or user room"), "\(room)")
            }
            #expect(running.server.rooms.members(of: .client(alice.clientId)).count == 1)
            let own = try await bob.client.request(.post, ReservedRoutes.join, body: #"{"room":"client-\#(bob.clientId)"}"#, id: 9)
            #expect(own.status == .ok)
            for client in [alice.client, bob.client] { client.close() }
            try await running.stop()
        }
    }

    @Test("a random client room's history goes when its connection closes; a chosen client id's stays for a reconnect")
    func randomClientRoomHistoryDropped() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication)
        let random = try await Self.connect(running.port, clientId: nil, token: "alice-token")
        let chosen = try await Self.connect(running.port, clientId: "tab1", token: "alice-token")
        let rooms = [RoomName.client(random.clientId), .client(chosen.clientId)]
        #expect(await running.eventually { running.server.registry.count == 2 })
        for room in rooms {
            #expect(try running.server.sendToGroup(room, PushMessage(url: "/x")).count == 1)
            #expect(running.server.publisher.history.storedCount(of: room) == 1)
        }
        random.client.close()
        chosen.client.close()
        #expect(await running.eventually { running.server.registry.count == 0 })
        #expect(running.server.publisher.history.storedCount(of: rooms[0]) == 0, "never joined or resumed again: dropped")
        #expect(running.server.publisher.history.storedCount(of: rooms[1]) == 1, "kept for the client's next connection")
        try await running.stop()
    }
}
