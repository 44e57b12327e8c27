import Foundation
import Synchronization
import Testing
@testable import SwitchboardCore

@Suite("Rooms")
struct RoomRegistryTests {
    let c1 = ConnectionID("c1"), c2 = ConnectionID("c2"), c3 = ConnectionID("c3")

    @Test("user and client rooms are families; an app declares its own, pairs ordered")
    func names() {
        #expect(RoomName.user("42").rawValue == "user-42")
        #expect(RoomName.client("tab9").rawValue == "client-tab9")
        #expect(RoomFamily.user.contains(RoomName.user("42")))
        #expect(RoomName.board("7").rawValue == "board-7")
        #expect(RoomName.family("board")("7") == RoomName("board-7"))
        let chat = RoomName.family("chat")
        #expect(chat.pair("b", "a") == chat.pair("a", "b"))
        #expect(chat.pair("u2", "u1").rawValue == "chat-u1-u2")
        #expect(RoomName("board-7").isValid)
        #expect(!RoomName("a|b").isValid)
        #expect(!RoomName("has space").isValid)
        #expect(!RoomName("").isValid)
    }

    @Test("a family recognises its rooms and reads their ids back")
    func familyMembership() {
        #expect(RoomName.board.id(of: "board-7") == "7")
        #expect(RoomName.board.id(of: "board-7-x") == "7-x")
        #expect(RoomName.board.id(of: "board-") == nil)
        #expect(RoomName.board.id(of: "boards-7") == nil)
        #expect(!RoomName.board.contains("user-7"))
        #expect(RoomName.board.contains(.board("é")))
    }

    @Test("join adds members once, leave removes them, and an empty room is deleted")
    func joinLeave() {
        let rooms = RoomRegistry()
        #expect(rooms.join("board-7", c1))
        #expect(!rooms.join("board-7", c1))
        rooms.join("board-7", c2)
        #expect(ids(rooms.members(of: "board-7")) == ["c1", "c2"])
        #expect(rooms.leave("board-7", c1))
        #expect(!rooms.leave("board-7", c1))
        #expect(rooms.exists("board-7"))
        rooms.leave("board-7", c2)
        #expect(!rooms.exists("board-7"))
        #expect(rooms.state(of: "board-7") == nil)
        #expect(rooms.count == 0)
    }

    @Test("connect puts a connection in its client and user rooms; disconnect takes it out of all")
    func connectDisconnect() {
        let rooms = RoomRegistry()
        let tab = TestConnection("c1", clientId: "tab1", user: "alice")
        #expect(rooms.connect(tab) == ["client-tab1", "user-alice"])
        rooms.join("board-7", tab.id)
        #expect(rooms.rooms(of: tab.id) == ["board-7", "client-tab1", "user-alice"])
        #expect(rooms.disconnect(tab.id) == ["board-7", "client-tab1", "user-alice"])
        #expect(rooms.rooms(of: tab.id).isEmpty)
        #expect(rooms.count == 0)
    }

    @Test("an unauthenticated connection without client id gets a client room named after its id")
    func anonymousConnect() {
        let rooms = RoomRegistry()
        #expect(rooms.connect(TestConnection("c9")) == ["client-c9"])
    }

    @Test("a room sharing another's member list follows joins and leaves of either")
    func sharedMembers() {
        let rooms = RoomRegistry()
        rooms.join(.tasks("7"), c1, sharingMembersOf: .board("7"))
        #expect(rooms.sourceRoom(of: .tasks("7")) == .board("7"))
        #expect(ids(rooms.members(of: .board("7"))) == ["c1"])
        rooms.join(.board("7"), c2)
        #expect(ids(rooms.members(of: .tasks("7"))) == ["c1", "c2"])
        rooms.join(.sprints("7"), c3, sharingMembersOf: .tasks("7"))
        #expect(rooms.sourceRoom(of: .sprints("7")) == .board("7"))
        #expect(ids(rooms.members(of: .sprints("7"))) == ["c1", "c2", "c3"])
        rooms.leave(.tasks("7"), c1)
        #expect(ids(rooms.members(of: .board("7"))) == ["c2", "c3"])
        #expect(rooms.rooms(of: c2) == [.board("7"), .sprints("7"), .tasks("7")])
        rooms.leave(.board("7"), c2)
        rooms.disconnect(c3)
        #expect(!rooms.exists(.board("7")))
        #expect(!rooms.exists(.tasks("7")))
        #expect(!rooms.exists(.sprints("7")))
    }

    @Test("each room keeps its own lastBroadcastTimestamp, stamped on broadcast; unknown rooms have no state")
    func lastBroadcast() {
        let clock = ManualClock()
        let rooms = RoomRegistry(clock: clock.read)
        rooms.join(.tasks("7"), c1, sharingMembersOf: .board("7"))
        #expect(rooms.state(of: .board("7")) == RoomState(room: .board("7"), lastBroadcastTimestamp: nil, memberCount: 1))
        clock.advance(to: 5_000)
        #expect(ids(rooms.membersForBroadcast(to: .tasks("7"))) == ["c1"])
        #expect(rooms.state(of: .tasks("7"))?.lastBroadcastTimestamp == 5_000)
        #expect(rooms.state(of: .board("7"))?.lastBroadcastTimestamp == nil)
        #expect(rooms.membersForBroadcast(to: "nobody-here").isEmpty)
        #expect(rooms.state(of: "nobody-here") == nil)
        #expect(!rooms.exists("nobody-here"))
    }

    @Test("room state encodes as {room, lastBroadcastTimestamp, memberCount}, null timestamp before any broadcast")
    func stateJSON() throws {
        let message = try PushMessage(url: "/x", json: RoomState(room: "board-7", lastBroadcastTimestamp: nil, memberCount: 2))
        #expect(String(decoding: message.body, as: UTF8.self) == #"{"lastBroadcastTimestamp":null,"memberCount":2,"room":"board-7"}"#)
        let stamped = try PushMessage(url: "/x", json: RoomState(room: "board-7", lastBroadcastTimestamp: 17, memberCount: 2))
        #expect(String(decoding: stamped.body, as: UTF8.self) == #"{"lastBroadcastTimestamp":17,"memberCount":2,"room":"board-7"}"#)
    }

    @Test("by default a client may join only its own user and client rooms; a refusal is 403")
    func defaultPolicy() throws {
        let rooms = RoomRegistry()
        let tab = TestConnection("c1", clientId: "tab1", user: "alice")
        try rooms.join(.user("alice"), requestedBy: tab)
        try rooms.join(.client("tab1"), requestedBy: tab)
        #expect(rooms.isMember(tab.id, of: .user("alice")))
        let error = #expect(throws: RoomJoinRefusal.self) { try rooms.join(.user("bob"), requestedBy: tab) }
        #expect(error?.status == .forbidden)
        #expect(error?.description.contains("user-bob") == true)
        #expect(!rooms.exists(.user("bob")))
        #expect(throws: RoomJoinRefusal.self) { try rooms.join(.board("7"), requestedBy: tab) }
    }

    @Test("an app policy can allow more rooms, with its own refusal reason")
    func appPolicy() throws {
        let policy = RoomAccessPolicy.allowing { connection, room in
            room.rawValue.hasPrefix("board-") ? .allowed : .denied("\(connection.identity?.userId ?? "?") is not in \(room)")
        }
        let rooms = RoomRegistry(policy: policy)
        let tab = TestConnection("c1", user: "alice")
        try rooms.join(.board("7"), requestedBy: tab)
        try rooms.join(.user("alice"), requestedBy: tab)
        let error = #expect(throws: RoomJoinRefusal.self) { try rooms.join("org-3", requestedBy: tab) }
        #expect(error?.reason == "alice is not in org-3")
    }

    @Test("joining a sharing room at a client's request also needs access to its source")
    func policyChecksSource() throws {
        let policy = RoomAccessPolicy.allowing { _, room in room == .tasks("7") ? .allowed : .denied("no") }
        let rooms = RoomRegistry(policy: policy)
        rooms.join(.tasks("7"), c2, sharingMembersOf: .board("7"))
        #expect(throws: RoomJoinRefusal.self) { try rooms.join(.tasks("7"), requestedBy: TestConnection("c1")) }
        #expect(!rooms.isMember(c1, of: .board("7")))
    }

    @Test("an invalid room name is refused with 400")
    func invalidName() {
        let rooms = RoomRegistry(policy: .everyRoom)
        let error = #expect(throws: RoomJoinRefusal.self) { try rooms.join("a|b", requestedBy: TestConnection("c1")) }
        #expect(error?.status == .badRequest)
    }
}

@Suite("Room registry observer")
struct RoomRegistryObserverTests {
    @Test("the observer hears rooms occupied and vacated, and connections opened and closed, after each change")
    func changes() {
        let rooms = RoomRegistry(policy: .everyRoom)
        let heard = Mutex<[RoomChange]>([])
        rooms.observe { changes in heard.withLock { $0 += changes } }
        rooms.join("a", ConnectionID("c1"))
        rooms.join("a", ConnectionID("c2"))
        rooms.join("a-shared", ConnectionID("c1"), sharingMembersOf: "a")
        rooms.leave("a", ConnectionID("c2"))
        rooms.disconnect(ConnectionID("c1"))
        #expect(heard.withLock { $0 } == [
            .occupied("a"), .occupied("a-shared"), .disconnected(ConnectionID("c1")), .vacated("a"), .vacated("a-shared"),
        ])
    }

    @Test("the observer is called at the same stack depth after thousands of changes (nothing nests around it)")
    func constantDepth() {
        let rooms = RoomRegistry(policy: .everyRoom)
        let depths = Mutex<[Int]>([])
        rooms.observe { _ in depths.withLock { $0.append(Thread.callStackReturnAddresses.count) } }
        for index in 0..<2_000 {
            rooms.join(RoomName("r\(index)"), ConnectionID("c1"))
        }
        let seen = depths.withLock { $0 }
        #expect(seen.count == 2_000)
        #expect(seen.first == seen.last, "stack depth of the first report \(seen.first ?? 0), of the last \(seen.last ?? 0)")
    }
}

