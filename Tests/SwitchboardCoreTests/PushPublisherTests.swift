import Testing
@testable import SwitchboardCore

@Suite("Push publisher")
struct PushPublisherTests {
    /// alice has tabs a1, a2; bob has b1; a1 and b1 are in board-7.
    func fixture() -> PushPublisher<String> {
        let connections = ConnectionRegistry<String>()
        let rooms = RoomRegistry()
        for (id, user) in [("a1", "alice"), ("a2", "alice"), ("b1", "bob")] {
            connections.add(id: ConnectionID(id), handle: "h-" + id, clientId: "tab-" + id, userId: user)
            rooms.connect(TestConnection(id, clientId: "tab-" + id, user: user))
        }
        rooms.join(.board("7"), ConnectionID("a1"))
        rooms.join(.board("7"), ConnectionID("b1"))
        return PushPublisher(connections: connections, rooms: rooms)
    }

    @Test("a room push is one encoding, a push frame naming the room, for every member and nobody else")
    func group() throws {
        let publisher = fixture()
        let delivery = try publisher.sendToGroup(.board("7"), PushMessage(url: "/boards/7/updated", body: Array("{}".utf8)))
        #expect(ids(delivery.recipients) == ["a1", "b1"])
        #expect(delivery.recipients.map(\.handle).sorted() == ["h-a1", "h-b1"])
        let epoch = publisher.history.position(of: .board("7")).epoch
        #expect(epoch != 0)
        #expect(try FrameCodec.decode(delivery.bytes) == .push(PushFrame(url: "/boards/7/updated", room: "board-7", epoch: epoch, offset: 1, data: Array("{}".utf8)[...])))
    }

    @Test("a large room's recipients are reused only while its members and the connections stay the same")
    func largeRoomRecipients() throws {
        let connections = ConnectionRegistry<String>()
        let rooms = RoomRegistry()
        let room = RoomName("crowd")
        for index in 0..<100 {
            connections.add(id: ConnectionID("c\(index)"), handle: "h\(index)")
            rooms.join(room, ConnectionID("c\(index)"))
        }
        let publisher = PushPublisher(connections: connections, rooms: rooms)
        let names = { (excluded: ConnectionID?) in Set(publisher.recipients(ofRoom: room, excluding: excluded).map(\.handle)) }
        let all = Set((0..<100).map { "h\($0)" })
        #expect(names(nil) == all)
        #expect(names(nil) == all)
        #expect(names(ConnectionID("c5")) == all.subtracting(["h5"]), "the sender is left out of a reused list too")
        #expect(names(nil) == all, "and only from that push")
        rooms.leave(room, ConnectionID("c7"))
        #expect(names(nil) == all.subtracting(["h7"]), "a member that left")
        connections.remove(ConnectionID("c8"))
        #expect(names(nil) == all.subtracting(["h7", "h8"]), "a connection that closed")
        #expect(!rooms.isMember(ConnectionID("c8"), of: room), "and is pruned")
        connections.add(id: ConnectionID("c9"), handle: "h9-new")
        #expect(names(nil) == all.subtracting(["h7", "h8", "h9"]).union(["h9-new"]), "a replaced handle")
        connections.add(id: ConnectionID("late"), handle: "h-late")
        rooms.join(room, ConnectionID("late"))
        #expect(names(nil).contains("h-late"), "a member that joined")
        for index in 0..<100 { rooms.leave(room, ConnectionID("c\(index)")) }
        rooms.leave(room, ConnectionID("late"))
        #expect(names(nil).isEmpty, "the room is gone")
        for index in 0..<70 { rooms.join(room, ConnectionID("c\(index)")) }
        #expect(names(nil).count == 69, "a room created again is looked up again (c8 is closed)")
    }

    @Test("a room push can leave out the sender")
    func excludingSender() throws {
        let delivery = try fixture().sendToGroup(.board("7"), PushMessage(url: "/x"), excluding: ConnectionID("a1"))
        #expect(ids(delivery.recipients) == ["b1"])
    }

    @Test("a reliable push that leaves out a member gives that member a SUBSCRIBE #0 at the push's offset instead")
    func excludedGetsPositionNotice() throws {
        let publisher = fixture()
        let first = try publisher.sendToGroup(.board("7"), PushMessage(url: "/x"), excluding: ConnectionID("a1"))
        let second = try publisher.sendToGroup(.board("7"), PushMessage(url: "/x"), excluding: ConnectionID("a1"))
        let epoch = publisher.history.position(of: .board("7")).epoch
        for (delivery, offset) in [(first, UInt64(1)), (second, 2)] {
            let notice = try #require(delivery.positionNotice)
            #expect(notice.recipient.id == ConnectionID("a1") && notice.recipient.handle == "h-a1")
            let data = Array("{\"epoch\":\(epoch),\"offset\":\(offset),\"room\":\"board-7\"}".utf8)
            #expect(try FrameCodec.decode(notice.bytes) == .control(ControlFrame(kind: .subscribe, id: 0, data: data[...])))
            #expect(delivery.historyRoom == "board-7")
        }
        #expect(try publisher.sendToGroup(.board("7"), PushMessage(url: "/x", delivery: .volatile), excluding: ConnectionID("a1")).positionNotice == nil)
        #expect(try publisher.sendToGroup(.board("7"), PushMessage(url: "/x"), excluding: ConnectionID("a2")).positionNotice == nil, "not a member")
        #expect(try publisher.sendToGroup(.board("7"), PushMessage(url: "/x")).positionNotice == nil)
    }

    @Test("a push published only to an excluded member still delivers its position notice")
    func noticeAlone() throws {
        let publisher = fixture()
        publisher.rooms.leave(.board("7"), ConnectionID("b1"))
        let transport = RecordingTransport()
        publisher.publish([Push(PushMessage(url: "/x"), to: .room(.board("7"), excluding: ConnectionID("a1")))]) { transport.deliver($0) }
        #expect(transport.deliveries.count == 1 && transport.deliveries.first?.recipients.isEmpty == true)
        #expect(transport.deliveries.first?.positionNotice?.recipient.id == ConnectionID("a1"))
    }

    @Test("a user push reaches each of the user's connections once")
    func user() throws {
        let delivery = try fixture().send(PushMessage(url: "/x"), to: .user("alice"))
        #expect(ids(delivery.recipients) == ["a1", "a2"])
    }

    @Test("an individual push goes to one connection through its client room")
    func individual() throws {
        let publisher = fixture()
        let delivery = try publisher.sendToIndividual(ConnectionID("a2"), PushMessage(url: "/x"))
        #expect(ids(delivery.recipients) == ["a2"])
        guard case .push(let frame) = try FrameCodec.decode(delivery.bytes) else { Issue.record("not a push"); return }
        #expect(frame.room == "client-tab-a2")
        #expect(try publisher.sendToIndividual(ConnectionID("gone"), PushMessage(url: "/x")).recipients.isEmpty)
    }

    @Test("a broadcast reaches every connection, except the excluded one")
    func broadcast() throws {
        let publisher = fixture()
        #expect(ids(try publisher.broadcast(PushMessage(url: "/x")).recipients) == ["a1", "a2", "b1"])
        #expect(ids(try publisher.send(PushMessage(url: "/x"), to: .everyone(excluding: ConnectionID("b1"))).recipients) == ["a1", "a2"])
    }

    @Test("members gone from the registry are pruned from every room on broadcast")
    func prunesDead() throws {
        let publisher = fixture()
        publisher.connections.remove(ConnectionID("b1"))
        let delivery = try publisher.sendToGroup(.board("7"), PushMessage(url: "/x"))
        #expect(ids(delivery.recipients) == ["a1"])
        #expect(ids(publisher.rooms.members(of: .board("7"))) == ["a1"])
        #expect(!publisher.rooms.exists(.user("bob")))
        #expect(publisher.rooms.rooms(of: ConnectionID("b1")).isEmpty)
    }

    @Test("leaving a room stops delivery to it")
    func leaveStops() throws {
        let publisher = fixture()
        publisher.rooms.leave(.board("7"), ConnectionID("b1"))
        #expect(ids(try publisher.sendToGroup(.board("7"), PushMessage(url: "/x")).recipients) == ["a1"])
    }

    @Test("a push to a room nobody is in has no recipients and creates no room")
    func emptyRoom() throws {
        let publisher = fixture()
        #expect(try publisher.sendToGroup("chat-x-y", PushMessage(url: "/x")).recipients.isEmpty)
        #expect(!publisher.rooms.exists("chat-x-y"))
    }

    @Test("an invalid url is a FrameError, not a trap")
    func invalidURL() {
        #expect(throws: FrameError.self) { try fixture().sendToGroup(.board("7"), PushMessage(url: "/has space")) }
    }

    @Test("a transport gets the delivery's bytes for each recipient")
    func transport() throws {
        let publisher = fixture()
        let transport = RecordingTransport()
        transport.deliver([try publisher.sendToGroup(.board("7"), PushMessage(url: "/boards/7/updated"))])
        #expect(try transport.frames(of: "a1").map(\.pushURL) == ["/boards/7/updated"])
        #expect(try transport.frames(of: "a2").isEmpty)
    }

    @Test("ACKs release a small room's history as soon as every member acknowledged; a large room works it out at most once a second")
    func acknowledgementRelease() {
        for members in [3, PushPublisher<Int>.exactReleaseMembers + 1] {
            let clock = HistoryStoreTests.Clock()
            let connections = ConnectionRegistry<Int>()
            let rooms = RoomRegistry()
            let sessions = SessionRegistry()
            let history = HistoryStore(clock: { clock.now.withLock { $0 } })
            let publisher = PushPublisher(connections: connections, rooms: rooms, history: history)
            let ids = (0..<members).map { ConnectionID("m\($0)") }
            for (index, id) in ids.enumerated() {
                connections.add(id: id, handle: index)
                rooms.join("big", id)
                _ = sessions.open(id, userId: nil)
            }
            publisher.publish([Push(PushMessage(url: "/x", body: Array("1".utf8)), to: .room("big"))]) { _ in }
            let position = history.position(of: "big")
            for id in ids {
                #expect(publisher.acknowledge("big", epoch: position.epoch, offset: position.offset, from: id, sessions: sessions))
            }
            if members <= PushPublisher<Int>.exactReleaseMembers {
                #expect(history.storedCount(of: "big") == 0, "released at the last member's ACK")
            } else {
                // Worked out at the first ACK (not everyone had acknowledged), not again within a second.
                #expect(history.storedCount(of: "big") == 1)
                clock.advance(PushPublisher<Int>.releaseCheckInterval)
                #expect(publisher.acknowledge("big", epoch: position.epoch, offset: position.offset, from: ids[0], sessions: sessions))
                #expect(history.storedCount(of: "big") == 0, "released at the first ACK a second later")
            }
        }
    }
}
