import Foundation
import NIOCore
import Switchboard
import Testing

/// Rooms, pushes, the socket queue, features and presence over real sockets.
@Suite("Rooms and pushes end to end")
struct RoomsAndPushesTests {
    static let boards = RoomName.family("board")
    static let board = boards("7")

    /// A router whose handlers join rooms and push, as an app's would.
    static var router: Router {
        var router = Router()
        router.post("/rooms/:room/join") { req, res in
            try req.connection.join(RoomName(try req.params.require("room")))
            res.status(.noContent).end()
        }
        router.post("/boards/:id/say") { req, res in
            let room = boards(try req.params.require("id"))
            res.push(PushMessage(url: "/said", body: Array(req.body)), to: .room(room, excluding: req.connection.id))
            res.status(.noContent).end()
        }
        // Three pushes to the room, made out of created-time order.
        router.post("/boards/:id/burst") { req, res in
            let room = boards(try req.params.require("id"))
            for (url, time) in [("/second", Int64(20)), ("/third", 30), ("/first", 10)] {
                res.push(PushMessage(url: url, createdAt: time), to: .room(room))
            }
            res.status(.noContent).end()
        }
        return router
    }

    static func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer " + token)] }

    /// The WebSocket messages a client receives until it has been quiet for `quiet`.
    static func messages(_ client: WebSocketTestClient, quiet: TimeAmount = .milliseconds(300)) async -> [Frame] {
        var frames: [Frame] = []
        while frames.count < 1000 {
            switch await client.next(timeout: quiet) {
            case .frame(let frame): frames.append(frame)
            case .ping, .pong: continue
            default: return frames
            }
        }
        return frames
    }

    /// The pushes of some messages, batches unpacked.
    static func pushes(_ frames: [Frame]) -> [PushFrame] {
        frames.flatMap { frame -> [PushFrame] in
            switch frame {
            case .push(let push): [push]
            case .batch(let inner): pushes(inner)
            default: []
            }
        }
    }

    static func body(_ response: ResponseFrame) -> String { String(decoding: response.data, as: UTF8.self) }

    @Test("a push to a room reaches every member once and nobody else, also from a handler's res.push")
    func roomPush() async throws {
        let running = try await RunningServer.start(responder: Self.router, authentication: HandshakeTests.authentication, rooms: RoomRegistry(policy: .everyRoom))
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let bob = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("bob-token"))
        let outsider = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("bob-token"))
        #expect(try await alice.request(.post, "/rooms/board-7/join").status == .noContent)
        #expect(try await bob.request(.post, "/rooms/board-7/join").status == .noContent)

        let recipients = try running.server.sendToGroup(Self.board, PushMessage(url: "/boards/7/updated", body: Array("{}".utf8)))
        #expect(recipients.count == 2)
        for member in [alice, bob] {
            let received = Self.pushes(await Self.messages(member))
            #expect(received.map(\.url) == ["/boards/7/updated"])
            #expect(received.first?.room == "board-7")
        }
        #expect(await Self.messages(outsider).isEmpty)

        #expect(try await alice.request(.post, "/boards/7/say", body: "hello").status == .noContent)
        let said = Self.pushes(await Self.messages(bob))
        #expect(said.map { String(decoding: $0.data, as: UTF8.self) } == ["hello"])
        #expect(await Self.messages(alice).isEmpty)
        #expect(await Self.messages(outsider).isEmpty)
        for client in [alice, bob, outsider] { client.close() }
        try await running.stop()
    }

    @Test("a user with three connections gets a user-room push three times, once on each")
    func userWithThreeConnections() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication)
        var tabs: [WebSocketTestClient] = []
        for _ in 0..<3 { tabs.append(try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))) }
        let bob = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("bob-token"))
        #expect(await running.eventually { running.server.rooms.members(of: .user("alice")).count == 3 })

        #expect(try running.server.sendToGroup(.user("alice"), PushMessage(url: "/inbox")).count == 3)
        for tab in tabs { #expect(Self.pushes(await Self.messages(tab)).map(\.url) == ["/inbox"]) }
        #expect(await Self.messages(bob).isEmpty)
        for client in tabs + [bob] { client.close() }
        try await running.stop()
    }

    @Test("leaving a room and disconnecting stop delivery; a member that is gone is pruned on broadcast")
    func leaveAndDisconnect() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication, rooms: RoomRegistry(policy: .everyRoom))
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let bob = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("bob-token"))
        for client in [alice, bob] {
            #expect(try await client.request(.post, ReservedRoutes.join, body: #"{"room":"board-7"}"#).status == .ok)
        }
        let left = try await alice.request(.post, ReservedRoutes.leave, body: #"{"room":"board-7"}"#)
        #expect(Self.body(left) == #"{"left":true}"#)
        #expect(try running.server.sendToGroup(Self.board, PushMessage(url: "/one")).count == 1)
        #expect(Self.pushes(await Self.messages(bob)).map(\.url) == ["/one"])
        #expect(await Self.messages(alice).isEmpty)

        bob.close()
        #expect(await running.eventually { running.server.registry.count == 1 })
        #expect(try running.server.sendToGroup(Self.board, PushMessage(url: "/two")).isEmpty)
        #expect(!running.server.rooms.exists(Self.board))

        // A member whose connection is gone (e.g. on another path than close) is pruned by the
        // first broadcast that finds it.
        running.server.rooms.join(Self.board, ConnectionID("ghost"))
        #expect(try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"board-7"}"#).status == .ok)
        #expect(running.server.rooms.members(of: Self.board).count == 2)
        #expect(try running.server.sendToGroup(Self.board, PushMessage(url: "/three")).count == 1)
        #expect(!running.server.rooms.isMember(ConnectionID("ghost"), of: Self.board))
        #expect(Self.pushes(await Self.messages(alice)).map(\.url) == ["/three"])
        alice.close()
        try await running.stop()
    }

    @Test("the pushes one handler makes reach each member as one batch, in created-time order")
    func handlerPushesBatched() async throws {
        let running = try await RunningServer.start(responder: Self.router, authentication: HandshakeTests.authentication, rooms: RoomRegistry(policy: .everyRoom))
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let bob = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("bob-token"))
        for client in [alice, bob] { #expect(try await client.request(.post, "/rooms/board-7/join").status == .noContent) }
        try await alice.send(.request(RequestFrame(method: .post, id: 9, url: "/boards/7/burst")))
        for member in [alice, bob] {
            let batches = await Self.messages(member).filter { if case .response = $0 { false } else { true } }
            #expect(batches.count == 1)
            guard case .batch(let inner)? = batches.first else {
                Issue.record("expected one batch, got \(batches)")
                continue
            }
            #expect(Self.pushes(inner).map(\.url) == ["/first", "/second", "/third"])
        }
        for client in [alice, bob] { client.close() }
        try await running.stop()
    }

    @Test("a refused join is 403 with the policy's reason, from the reserved route and from a handler")
    func unauthorizedJoin() async throws {
        let running = try await RunningServer.start(responder: Self.router, authentication: HandshakeTests.authentication)
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let reserved = try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"board-7"}"#, id: 1)
        #expect(reserved.status == .forbidden)
        #expect(Self.body(reserved).contains("may not join room board-7"))
        #expect(try await alice.request(.post, "/rooms/board-7/join", id: 2).status == .forbidden)
        #expect(try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"bad|name"}"#, id: 3).status == .badRequest)
        let own = try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"user-alice"}"#, id: 4)
        #expect(own.status == .ok)
        #expect(!running.server.rooms.exists(Self.board))
        alice.close()
        try await running.stop()
    }

    @Test("room state, isActive and unknown reserved routes")
    func roomStateAndClient() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication, rooms: RoomRegistry(policy: .everyRoom))
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let unknown = try await alice.request(.get, ReservedRoutes.roomState("board-9"), id: 1)
        #expect(unknown.status == .ok)
        #expect(Self.body(unknown) == "null")
        let joined = try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"board-7"}"#, id: 2)
        #expect(Self.body(joined).contains(#""lastBroadcastTimestamp":null"#))
        try running.server.sendToGroup(Self.board, PushMessage(url: "/x"))
        let state = try await alice.request(.get, ReservedRoutes.roomState(Self.board), id: 3)
        let decoded = try JSONDecoder().decode(RoomState.self, from: Data(state.data))
        #expect(decoded.lastBroadcastTimestamp != nil)
        #expect(decoded.memberCount == 1)

        let id = try #require(running.server.connections.first?.id)
        #expect(running.server.registry.get(id)?.isActive == true)
        let update = try await alice.request(.patch, ReservedRoutes.client, body: #"{"isActive":false}"#, id: 4)
        #expect(update.status == .ok)
        #expect(running.server.registry.get(id)?.isActive == false)
        #expect(try await alice.request(.get, ReservedRoutes.prefix + "nothing", id: 5).status == .notFound)
        #expect(try await alice.request(.delete, ReservedRoutes.client, id: 6).status == .methodNotAllowed)
        alice.close()
        try await running.stop()
    }

    @Test("presence: a list route, and joined/updated/left pushes with the user's tab count reach the others and the user's other tabs")
    func presence() async throws {
        let stream = try StreamName("board:7:presence")
        let policy = RoomAccessPolicy.allowing { _, room in room.rawValue.hasPrefix("board") ? .allowed : .denied("boards only") }
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication, rooms: RoomRegistry(policy: policy), features: FeatureSet([Presence()]))
        let path = "/ws?features=presence@board:7:presence"
        let change = { (count: Int) in #"{"connections":\#(count),"stream":"board:7:presence","userId":"alice"}"# }
        let seen = { (client: WebSocketTestClient) in Self.pushes(await Self.messages(client)).map { [$0.url, String(decoding: $0.data, as: UTF8.self)] } }
        let bob = try await WebSocketTestClient.connect(port: running.port, path: path, headers: Self.bearer("bob-token"))
        let list = Self.pushes(await Self.messages(bob))
        #expect(list.map(\.url) == [Presence.listURL(stream)])

        let tab1 = try await WebSocketTestClient.connect(port: running.port, path: path, headers: Self.bearer("alice-token"))
        #expect(await seen(bob) == [[Presence.joinedURL(stream), change(1)]])
        #expect(Self.pushes(await Self.messages(tab1)).map(\.url) == [Presence.listURL(stream)])
        let tab2 = try await WebSocketTestClient.connect(port: running.port, path: path, headers: Self.bearer("alice-token"))
        #expect(await seen(bob) == [[Presence.updatedURL(stream), change(2)]])
        #expect(await seen(tab1) == [[Presence.updatedURL(stream), change(2)]])

        let listed = try await bob.request(.get, ReservedRoutes.presence(stream))
        let users = try JSONDecoder().decode(PresenceList.self, from: Data(listed.data)).users
        #expect(users == [.init(userId: "alice", connections: 2), .init(userId: "bob", connections: 1)])

        tab1.close()
        #expect(await seen(bob) == [[Presence.updatedURL(stream), change(1)]])
        #expect(Self.pushes(await Self.messages(tab2)).filter { $0.url.hasPrefix("/presence/") }.map { String(decoding: $0.data, as: UTF8.self) }.last == change(1))
        tab2.close()
        #expect(await seen(bob) == [[Presence.leftURL(stream), change(0)]])
        bob.close()
        try await running.stop()
    }

    @Test("a features handshake naming only unknown features, or a feature without its stream, closes with 1008 and the reason")
    func featureHandshakeErrors() async throws {
        let running = try await RunningServer.start(rooms: RoomRegistry(policy: .everyRoom), features: FeatureSet([Presence()]))
        let unknown = try await WebSocketTestClient.connect(port: running.port, path: "/ws?features=chat@board:7:chat")
        let close = await unknown.nextClose()
        #expect(close?.code == 1008)
        #expect(close?.reason.contains("no known feature in chat") == true)
        let streamless = try await WebSocketTestClient.connect(port: running.port, path: "/ws?features=presence")
        let close2 = await streamless.nextClose()
        #expect(close2?.code == 1008)
        #expect(close2?.reason == "feature 'presence' has no stream: use presence@type:id:field")
        let fine = try await WebSocketTestClient.connect(port: running.port, path: "/ws?features=chat@board:7:chat,presence@board:7:presence")
        #expect(Self.pushes(await Self.messages(fine)).count == 1)
        fine.close()
        try await running.stop()
    }

    @Test("an expired identity stops auth-gated pushes until the client refreshes its credentials")
    func authGatedPushes() async throws {
        let policy = RoomAccessPolicy.everyRoom.requiringAuthentication { $0.rawValue.hasPrefix("secure-") }
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication, rooms: RoomRegistry(policy: policy))
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-short"))
        let bob = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("bob-token"))
        for client in [alice, bob] {
            #expect(try await client.request(.post, ReservedRoutes.join, body: #"{"room":"secure-1"}"#).status == .ok)
            #expect(try await client.request(.post, ReservedRoutes.join, body: #"{"room":"open-1"}"#).status == .ok)
        }
        #expect(try running.server.sendToGroup("secure-1", PushMessage(url: "/secret")).count == 2)
        #expect(Self.pushes(await Self.messages(alice)).map(\.url) == ["/secret"])
        _ = await Self.messages(bob)

        let id = try #require(running.server.registry.connections(ofUser: "alice").first?.id)
        let expiry = try #require(running.server.registry.get(id)?.expiresAt)
        #expect(await running.eventually(timeout: .seconds(10)) { Date() > expiry })
        #expect(try running.server.sendToGroup("secure-1", PushMessage(url: "/secret")).count == 1)
        #expect(try running.server.sendToGroup("open-1", PushMessage(url: "/public")).count == 2)
        #expect(Self.pushes(await Self.messages(alice)).map(\.url) == ["/public"])
        #expect(running.server.rooms.isMember(id, of: "secure-1"))

        #expect(try await alice.request(.post, CredentialRefresh.path, body: "alice-new").status == .ok)
        #expect(try running.server.sendToGroup("secure-1", PushMessage(url: "/secret")).count == 2)
        #expect(Self.pushes(await Self.messages(alice)).map(\.url) == ["/secret"])
        for client in [alice, bob] { client.close() }
        try await running.stop()
    }
}
