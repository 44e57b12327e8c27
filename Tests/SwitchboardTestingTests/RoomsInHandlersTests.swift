import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite("Rooms and pushes in handlers")
struct RoomsInHandlersTests {
    @Test("req.connection.join is checked by the room policy: refused is 403, allowed joins")
    func join() async throws {
        var router = Router()
        router.post("/rooms/:room") { req, res in
            try req.connection.join(RoomName(try req.params.require("room")))
            res.status(.noContent).end()
        }
        let rooms = RoomRegistry(policy: .allowing { _, room in room.rawValue.hasPrefix("board-") ? .allowed : .denied("boards only") })
        let client = TestClient(router, connection: TestConnection(identity: Identity(userId: "ada"), rooms: rooms))
        #expect(try await client.post("/rooms/board-7").status == .noContent)
        let refused = try await client.post("/rooms/org-1")
        #expect(refused.status == .forbidden)
        #expect(refused.text.contains("boards only"))
        #expect(client.connection.joinedRooms == ["board-7"])
        #expect(client.connection.leave("board-7"))
        #expect(client.connection.joinedRooms.isEmpty)
    }

    @Test("the pushes a handler makes are published once, together, when the reply leaves")
    func pushesReleasedWithReply() async throws {
        var router = Router()
        router.post("/sync") { req, res in
            res.push(PushMessage(url: "/a"), to: .room("board-7"))
            res.push(PushMessage(url: "/b"), to: .user("ada"))
            #expect(req.connection.publishedURLs.isEmpty)
            res.end()
        }
        router.post("/async") { req, res async in
            res.push(PushMessage(url: "/c"), to: .everyone())
            try? await Task.sleep(for: .milliseconds(5))
            res.end()
            res.push(PushMessage(url: "/d"), to: .connection(req.connection.id))
        }
        let client = TestClient(router)
        _ = try await client.post("/sync")
        #expect(client.connection.published.map(\.message.url) == ["/a", "/b"])
        #expect(client.connection.published.map(\.target) == [.room("board-7"), .user("ada")])
        _ = try await client.post("/async")
        #expect(client.connection.published.map(\.message.url) == ["/a", "/b", "/c", "/d"])
    }
}

extension ConnectionContext {
    fileprivate var publishedURLs: [String] { (self as? TestConnection)?.published.map(\.message.url) ?? [] }
}
