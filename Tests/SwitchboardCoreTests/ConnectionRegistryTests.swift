import Foundation
import Testing
@testable import SwitchboardCore

@Suite("Connection registry")
struct ConnectionRegistryTests {
    @Test("get returns nil for an unknown or removed connection")
    func getAfterRemove() {
        let registry = ConnectionRegistry<String>()
        #expect(registry.get(ConnectionID("c1")) == nil)
        registry.add(id: ConnectionID("c1"), handle: "h1", clientId: "tab1", userId: "u1")
        #expect(registry.get(ConnectionID("c1"))?.handle == "h1")
        #expect(registry.remove(ConnectionID("c1"))?.userId == "u1")
        #expect(registry.get(ConnectionID("c1")) == nil)
        #expect(registry.remove(ConnectionID("c1")) == nil)
        #expect(registry.count == 0)
    }

    @Test("adding an existing id merges: given fields replace, missing fields are kept")
    func addMerges() throws {
        let registry = ConnectionRegistry<String>()
        registry.add(id: ConnectionID("c1"), handle: "h1", clientId: "tab1", userId: "u1")
        registry.update(ConnectionID("c1"), isActive: false)
        let merged = registry.add(id: ConnectionID("c1"), handle: "h2", userId: "u2")
        #expect(merged.handle == "h2")
        #expect(merged.clientId == "tab1")
        #expect(merged.userId == "u2")
        #expect(merged.isActive == false)
        #expect(registry.count == 1)
        #expect(registry.connections(ofUser: "u1").isEmpty)
        #expect(registry.connections(ofUser: "u2").map(\.id) == [ConnectionID("c1")])
    }

    @Test("a new connection is active; update(isActive:) changes it and reports a gone connection")
    func isActive() {
        let registry = ConnectionRegistry<String>()
        registry.add(id: ConnectionID("c1"), handle: "h")
        #expect(registry.get(ConnectionID("c1"))?.isActive == true)
        #expect(registry.update(ConnectionID("c1"), isActive: false))
        #expect(registry.get(ConnectionID("c1"))?.isActive == false)
        #expect(registry.update(ConnectionID("nope"), isActive: true) == false)
    }

    @Test("connections(ofUser:) lists every tab of a user and removeAll(ofUser:) takes them all")
    func perUser() {
        let registry = ConnectionRegistry<String>()
        for index in 1...3 { registry.add(id: ConnectionID("a\(index)"), handle: "h", userId: "alice") }
        registry.add(id: ConnectionID("b1"), handle: "h", userId: "bob")
        #expect(registry.connections(ofUser: "alice").map(\.id.rawValue).sorted() == ["a1", "a2", "a3"])
        let removed = registry.removeAll(ofUser: "alice")
        #expect(removed.map(\.id.rawValue).sorted() == ["a1", "a2", "a3"])
        #expect(registry.connections(ofUser: "alice").isEmpty)
        #expect(registry.count == 1)
    }

    @Test("resolve splits ids into live recipients with handles and gone ids, leaving out the excluded one")
    func resolve() {
        let registry = ConnectionRegistry<String>()
        registry.add(id: ConnectionID("c1"), handle: "h1")
        registry.add(id: ConnectionID("c2"), handle: "h2")
        let (live, gone) = registry.resolve([ConnectionID("c1"), ConnectionID("c2"), ConnectionID("dead")], excluding: ConnectionID("c2"))
        #expect(live.map(\.handle) == ["h1"])
        #expect(gone == [ConnectionID("dead")])
    }

    @Test("the client room falls back to the connection id without a client id")
    func clientRoom() {
        #expect(ConnectionEntry(id: ConnectionID("c1"), clientId: "tab", handle: 0).clientRoom == "client-tab")
        #expect(ConnectionEntry(id: ConnectionID("c1"), handle: 0).clientRoom == "client-c1")
    }
}

@Suite("Auth-gated delivery")
struct AuthGatedDeliveryTests {
    @Test("a gated room's push skips members without a user or with an expired identity, until refreshed")
    func gated() throws {
        let registry = ConnectionRegistry<String>()
        let now = Date()
        registry.add(id: ConnectionID("fresh"), handle: "f", userId: "ada", expiresAt: now.addingTimeInterval(60))
        registry.add(id: ConnectionID("stale"), handle: "s", userId: "bob", expiresAt: now.addingTimeInterval(-1))
        registry.add(id: ConnectionID("anon"), handle: "a")
        let rooms = RoomRegistry(policy: RoomAccessPolicy.everyRoom.requiringAuthentication { $0 == "secure" })
        for id in ["fresh", "stale", "anon"] {
            rooms.join("secure", ConnectionID(id))
            rooms.join("open", ConnectionID(id))
        }
        let publisher = PushPublisher(connections: registry, rooms: rooms)
        #expect(ids(try publisher.sendToGroup("secure", PushMessage(url: "/x")).recipients) == ["fresh"])
        #expect(ids(try publisher.sendToGroup("open", PushMessage(url: "/x")).recipients) == ["anon", "fresh", "stale"])
        #expect(rooms.members(of: "secure").count == 3)
        registry.refresh(ConnectionID("stale"), expiresAt: nil)
        #expect(ids(try publisher.sendToGroup("secure", PushMessage(url: "/x")).recipients) == ["fresh", "stale"])
    }

    @Test("a batch of encoded frames takes a batch's inner frames instead of nesting it")
    func batchFlattens() throws {
        let a = try FrameCodec.encode(.push(PushFrame(url: "/a", data: [])))
        let b = try FrameCodec.encode(.push(PushFrame(url: "/b", data: [])))
        let c = try FrameCodec.encode(.push(PushFrame(url: "/c", data: [])))
        let inner = FrameCodec.batch(ofEncoded: [a, b])
        guard case .batch(let frames) = try FrameCodec.decode(FrameCodec.batch(ofEncoded: [inner, c])) else {
            Issue.record("not a batch")
            return
        }
        #expect(frames.compactMap(\.pushURL) == ["/a", "/b", "/c"])
    }
}
