import Foundation
import NIOCore
import Switchboard
import Testing

/// Offsets, history, sessions and RESUME over real sockets (PROTOCOL.md §4, §7).
@Suite("Resume after reconnect end to end")
struct ResumeTests {
    static let boards = RoomName.family("board")
    static let board = boards("7")

    static var router: Router {
        var router = Router()
        router.post("/rooms/:room/join") { req, res in
            try req.connection.join(RoomName(try req.params.require("room")))
            res.status(.noContent).end()
        }
        router.get("/boards/:id") { req, res in
            try req.subscribe(to: boards(try req.params.require("id")))
            res.send("{\"name\":\"Roadmap\"}")
        }
        return router
    }

    static func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer " + token)] }

    static func start(_ change: (inout Configuration) -> Void = { _ in }, port: Int = 0) async throws -> RunningServer {
        var configuration = Configuration()
        change(&configuration)
        return try await RunningServer.start(
            responder: router, configuration: configuration, authentication: HandshakeTests.authentication,
            rooms: RoomRegistry(policy: .everyRoom), port: port
        )
    }

    static func publish(_ running: RunningServer, _ range: ClosedRange<Int>, to room: RoomName = board, delivery: DeliveryClass? = nil) throws {
        for index in range {
            try running.server.sendToGroup(room, PushMessage(url: "/boards/updated", body: Array("\(index)".utf8), delivery: delivery))
        }
    }

    /// A connected alice in `rooms`, its HELLO, and the position after `initial` pushes to board-7.
    static func aliceInRooms(_ running: RunningServer, _ rooms: [String] = ["board-7"], initial: Int = 5) async throws -> (WebSocketTestClient, HelloNotice, RoomPosition) {
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: bearer("alice-token"))
        let hello = try #require(await alice.hello())
        #expect(hello.framesBefore == 0)
        for room in rooms { #expect(try await alice.request(.post, "/rooms/\(room)/join").status == .noContent) }
        try publish(running, 1...initial)
        let received = await alice.pushes(count: initial)
        let last = try #require(received.last)
        #expect(received.map(\.offset) == Array(1...UInt64(initial)))
        return (alice, hello.notice, RoomPosition(epoch: last.epoch, offset: last.offset))
    }

    /// Cuts the TCP connection without a close frame and waits until the server saw it.
    static func cut(_ client: WebSocketTestClient, _ running: RunningServer) async {
        client.close()
        #expect(await running.eventually { running.server.connections.isEmpty })
    }

    static func bodies(_ pushes: [PushFrame]) -> [String] { pushes.map { String(decoding: $0.data, as: UTF8.self) } }

    @Test("a TCP cut, 100 pushes meanwhile: RESUME replays exactly those 100 in order before its RESPONSE, then pushes are live")
    func resumeAfterCut() async throws {
        let running = try await Self.start()
        let (alice, hello, position) = try await Self.aliceInRooms(running)
        #expect(hello.sessionGraceMs == 120_000 && hello.resumeToken.count == 32 && hello.clientId.hasPrefix("alice."))
        await Self.cut(alice, running)
        try Self.publish(running, 6...105)

        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(token: hello.resumeToken, rooms: ["board-7": position])
        #expect(resumed.response.status == .ok)
        #expect(resumed.replayed.map(\.offset) == Array(6...105))
        #expect(Self.bodies(resumed.replayed) == (6...105).map(String.init))
        #expect(resumed.body["resumed"] as? Bool == true)
        #expect(resumed.body["sessionId"] as? String == hello.sessionId)
        #expect((resumed.body["resumeToken"] as? String).map { $0 != hello.resumeToken && $0.count == 32 } == true)
        #expect(resumed.room("board-7")["recovered"] as? Bool == true)
        #expect(resumed.room("board-7")["offset"] as? Int == 105)

        try Self.publish(running, 106...106)
        let live = await again.pushes(count: 1)
        #expect(live.map(\.offset) == [106])
        #expect(await again.pushes().isEmpty)
        try await running.stop()
    }

    @Test("pushes published while the replay runs arrive once each, in offset order, with no gap")
    func resumeWhilePublishing() async throws {
        let running = try await Self.start { $0.delivery.defaultLimits.maxPushes = 1_000 }
        let (alice, hello, position) = try await Self.aliceInRooms(running)
        await Self.cut(alice, running)
        try Self.publish(running, 6...105)

        let publisher = Task {
            for index in 106...405 {
                try Self.publish(running, index...index)
                if index % 20 == 0 { await Task.yield() }
            }
        }
        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(token: hello.resumeToken, rooms: ["board-7": position])
        try await publisher.value
        let offered = resumed.room("board-7")["offset"] as? Int ?? 0
        let live = await again.pushes(count: 405 - offered)
        let all = resumed.replayed + live
        #expect(resumed.room("board-7")["recovered"] as? Bool == true)
        #expect(all.map(\.offset) == Array(6...405))
        #expect(Self.bodies(all) == (6...405).map(String.init))
        try await running.stop()
    }

    @Test("a room whose history overflowed is not recovered; the other rooms are")
    func overflow() async throws {
        let running = try await Self.start { $0.delivery.set(.prefix("small-"), limits: HistoryLimits(maxPushes: 10)) }
        let (alice, hello, position) = try await Self.aliceInRooms(running, ["board-7", "small-1"])
        try Self.publish(running, 1...2, to: RoomName("small-1"))
        let small = try #require(await alice.pushes(count: 2).last)
        await Self.cut(alice, running)
        try Self.publish(running, 3...20, to: RoomName("small-1"))
        try Self.publish(running, 6...8)

        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(
            token: hello.resumeToken, rooms: ["board-7": position, "small-1": RoomPosition(epoch: small.epoch, offset: small.offset)]
        )
        #expect(resumed.room("small-1")["recovered"] as? Bool == false)
        #expect(resumed.room("small-1")["reason"] as? String == "history no longer covers offset 2")
        #expect(resumed.room("small-1")["offset"] as? Int == 20)
        #expect(resumed.room("board-7")["recovered"] as? Bool == true)
        #expect(resumed.replayed.map(\.room) == ["board-7", "board-7", "board-7"])
        #expect(resumed.replayed.map(\.offset) == [6, 7, 8])
        try await running.stop()
    }

    @Test("after a server restart the token is unknown and every room's epoch changed: nothing is recovered")
    func restart() async throws {
        let first = try await Self.start()
        let (alice, hello, position) = try await Self.aliceInRooms(first)
        alice.close()
        try await first.stop()
        let second = try await Self.start(port: first.port)
        let again = try await WebSocketTestClient.connect(port: second.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(token: hello.resumeToken, rooms: ["board-7": position])
        #expect(resumed.response.status == .ok)
        #expect(resumed.body["resumed"] as? Bool == false)
        #expect(resumed.body["reason"] as? String == "unknown or expired resume token")
        #expect(resumed.room("board-7")["recovered"] as? Bool == false)
        #expect(resumed.room("board-7")["reason"] as? String == "epoch changed")
        #expect(resumed.room("board-7")["epoch"] as? Int != Int(position.epoch))
        #expect(resumed.replayed.isEmpty)
        try await second.stop()
    }

    @Test("another user's resume token is refused with 403 and restores nothing")
    func otherUser() async throws {
        let running = try await Self.start()
        let (alice, hello, position) = try await Self.aliceInRooms(running)
        await Self.cut(alice, running)
        try Self.publish(running, 6...7)
        let bob = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("bob-token"))
        let refused = try await bob.resume(token: hello.resumeToken, rooms: ["board-7": position])
        #expect(refused.response.status == .forbidden)
        #expect(String(decoding: refused.response.data, as: UTF8.self) == #"{"error":"resume token belongs to another user"}"#)
        #expect(refused.replayed.isEmpty)
        #expect(!running.server.rooms.members(of: Self.board).contains { _ in true })
        // The session is still alice's.
        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(token: hello.resumeToken, rooms: ["board-7": position])
        #expect(resumed.body["resumed"] as? Bool == true)
        #expect(resumed.replayed.map(\.offset) == [6, 7])
        try await running.stop()
    }

    @Test("volatile pushes are never replayed; latest pushes replay only the newest per key, with offset 0")
    func deliveryClasses() async throws {
        let running = try await Self.start()
        let (alice, hello, position) = try await Self.aliceInRooms(running)
        await Self.cut(alice, running)
        try Self.publish(running, 1...5, delivery: .volatile)
        for (key, values) in [("cursor-a", 1...4), ("cursor-b", 1...3)] {
            for value in values {
                try running.server.sendToGroup(Self.board, PushMessage(url: "/cursor", body: Array("\(key)=\(value)".utf8), delivery: .latest(key: key)))
            }
        }
        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(token: hello.resumeToken, rooms: ["board-7": position])
        #expect(resumed.room("board-7")["recovered"] as? Bool == true)
        #expect(Self.bodies(resumed.replayed) == ["cursor-a=4", "cursor-b=3"])
        #expect(resumed.replayed.map(\.offset) == [0, 0])
        #expect(resumed.room("board-7")["offset"] as? Int == 5)
        try await running.stop()
    }

    @Test("HELLO gives the positions of the client and user rooms; resuming from them replays what those rooms missed, recovered")
    func helloPositions() async throws {
        let running = try await Self.start()
        let (alice, hello, position) = try await Self.aliceInRooms(running)
        let rooms = try #require(hello.rooms)
        #expect(Set(rooms.keys) == ["user-alice", "client-" + hello.clientId])
        #expect(rooms.values.allSatisfy { $0.epoch != 0 && $0.offset == 0 })
        await Self.cut(alice, running)
        try running.server.sendToGroup(.user("alice"), PushMessage(url: "/notes", body: Array("for alice".utf8)))
        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(token: hello.resumeToken, rooms: rooms.filter { !$0.key.contains("~") }.merging(["board-7": position]) { $1 })
        #expect(resumed.room("user-alice")["recovered"] as? Bool == true)
        #expect(resumed.room("board-7")["recovered"] as? Bool == true)
        #expect(Self.bodies(resumed.replayed) == ["for alice"])
        #expect(resumed.replayed.map(\.room) == ["user-alice"])
        try await running.stop()
    }

    @Test("a RESUME that comes before the server saw the old socket close takes the live session over: every room recovered, the old connection closed 1000")
    func resumeBeforeCutSeen() async throws {
        let running = try await Self.start()
        let (alice, hello, position) = try await Self.aliceInRooms(running)
        // alice's socket is still open on the server: the new connection claims a live session.
        for (key, values) in [("cursor-a", 1...4), ("cursor-b", 1...3)] {
            for value in values {
                try running.server.sendToGroup(Self.board, PushMessage(url: "/cursor", body: Array("\(key)=\(value)".utf8), delivery: .latest(key: key)))
            }
        }
        // As a client does: no position for a random client id's room (it is new on every connection).
        let rooms = try #require(hello.rooms).filter { !$0.key.contains("~") }.merging(["board-7": position]) { $1 }
        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(token: hello.resumeToken, rooms: rooms)
        #expect(resumed.body["resumed"] as? Bool == true)
        #expect(resumed.body["sessionId"] as? String == hello.sessionId)
        let answered = try #require(resumed.body["rooms"] as? [String: [String: Any]])
        #expect(Set(answered.keys) == Set(rooms.keys))
        #expect(answered.values.allSatisfy { $0["recovered"] as? Bool == true }, "\(answered)")
        #expect(Self.bodies(resumed.replayed) == ["cursor-a=4", "cursor-b=3"])
        #expect(await alice.waitUntilDisconnected())
        #expect(await running.eventually { running.server.connections.count == 1 })
        try await running.stop()
    }

    @Test("a GET that subscribes sends SUBSCRIBE before its RESPONSE; after a cut, resuming from it gives exactly the 10 changes since")
    func subscribeThenResume() async throws {
        let running = try await Self.start()
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let hello = try #require(await alice.hello())
        try Self.publish(running, 1...3)  // before the read: not for this client
        try await alice.send(.request(RequestFrame(method: .get, id: 9, url: "/boards/7")))
        guard case .control(let subscribe) = try await alice.nextFrame() else { throw WebSocketTestClient.ClientError.unexpected(nil) }
        #expect(subscribe.kind == .subscribe && subscribe.id == 9)
        let notice = try JSONDecoder().decode(SubscribeNotice.self, from: Data(subscribe.data))
        #expect(notice.room == "board-7" && notice.offset == 3 && notice.epoch != 0)
        guard case .response(let response) = try await alice.nextFrame() else { throw WebSocketTestClient.ClientError.unexpected(nil) }
        #expect(response.id == 9 && response.status == .ok)

        await Self.cut(alice, running)
        try Self.publish(running, 4...13)
        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let resumed = try await again.resume(token: hello.notice.resumeToken, rooms: ["board-7": RoomPosition(epoch: notice.epoch, offset: notice.offset)])
        #expect(resumed.replayed.map(\.offset) == Array(4...13))
        #expect(Self.bodies(resumed.replayed) == (4...13).map(String.init))
        try await running.stop()
    }

    @Test("a deliberate close (1000) ends the session: its token is unknown to the next connection")
    func deliberateClose() async throws {
        let running = try await Self.start()
        let (alice, hello, position) = try await Self.aliceInRooms(running)
        try await alice.sendClose(code: .normalClosure)
        #expect(await alice.waitUntilDisconnected())
        #expect(await running.eventually { running.server.connections.isEmpty })
        let again = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        let fresh = try #require(await again.hello())
        let resumed = try await again.resume(token: hello.resumeToken, rooms: ["board-7": position])
        #expect(resumed.body["resumed"] as? Bool == false)
        #expect(resumed.body["reason"] as? String == "unknown or expired resume token")
        #expect(resumed.body["sessionId"] as? String == fresh.notice.sessionId)
        #expect(fresh.notice.sessionId != hello.sessionId)
        // The room itself is still recovered from the position, the access policy allowing it.
        #expect(resumed.room("board-7")["recovered"] as? Bool == true)
        try await running.stop()
    }

    @Test("RESUME after another frame is answered 409; malformed RESUME data 400")
    func resumeRules() async throws {
        let running = try await Self.start()
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        try await alice.send(.control(ControlFrame(kind: .resume, id: 3, data: ArraySlice("[]".utf8))))
        guard case .response(let malformed) = try await alice.nextFrame() else { throw WebSocketTestClient.ClientError.unexpected(nil) }
        #expect(malformed.id == 3 && malformed.status == .badRequest)
        let late = try await alice.resume(token: "x", rooms: [:], id: 4)
        #expect(late.response.status == .conflict)
        #expect(String(decoding: late.response.data, as: UTF8.self) == #"{"error":"RESUME must be the first frame the client sends on a connection"}"#)
        try await running.stop()
    }
}
