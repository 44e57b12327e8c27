import Testing
@testable import SwitchboardCore

@Suite("Presence")
struct PresenceTests {
    let connections = ConnectionRegistry<String>()
    let rooms = RoomRegistry(policy: .everyRoom)
    let presence = Presence()
    let features: FeatureSet
    let publisher: PushPublisher<String>
    let transport = RecordingTransport()
    let stream: StreamName

    init() throws {
        features = FeatureSet([presence])
        publisher = PushPublisher(connections: connections, rooms: rooms)
        stream = try StreamName("board:7:presence")
    }

    /// Connects like the server: registry, own rooms, then the features of the handshake.
    func connect(_ id: String, user: String?) throws -> TestConnection {
        let connection = TestConnection(id, user: user)
        connections.add(id: connection.id, handle: "h-" + id, userId: user)
        rooms.connect(connection)
        let handshake = try features.handshake(query: "/ws?features=presence@board:7:presence")
        transport.deliver(try features.perform(try features.open(handshake, for: connection, rooms: rooms), with: publisher))
        return connection
    }

    /// Disconnects like the server: registry, rooms, then the close hooks.
    func disconnect(_ connection: TestConnection) throws {
        connections.remove(connection.id)
        rooms.disconnect(connection.id)
        transport.deliver(try features.perform(features.close(connection.id), with: publisher))
    }

    @Test("the roster reports a user's count after each change, nil when nothing changed")
    func roster() {
        var roster = PresenceRoster()
        let first = roster.add(user: "alice", connection: ConnectionID("a1"))
        let second = roster.add(user: "alice", connection: ConnectionID("a2"))
        let again = roster.add(user: "alice", connection: ConnectionID("a2"))
        #expect(first == 1 && second == 2 && again == nil)
        #expect(roster.users == [PresenceList.User(userId: "alice", connections: 2)])
        let leftFirst = roster.remove(user: "alice", connection: ConnectionID("a1"))
        let leftUnknown = roster.remove(user: "alice", connection: ConnectionID("unknown"))
        let leftLast = roster.remove(user: "alice", connection: ConnectionID("a2"))
        #expect(leftFirst == 1 && leftUnknown == nil && leftLast == 0)
        #expect(roster.isEmpty)
    }

    @Test("opening presence joins the stream room and sends the opener the list")
    func openSendsList() throws {
        let alice = try connect("a1", user: "alice")
        #expect(rooms.isMember(alice.id, of: stream.room))
        let frames = try transport.frames(of: "a1")
        #expect(frames.map(\.pushURL) == ["/presence/board:7:presence"])
        #expect(frames[0].pushBody == #"{"stream":"board:7:presence","users":[{"connections":1,"userId":"alice"}]}"#)
    }

    @Test("others see a join when a user arrives and a leave when they go")
    func joinAndLeave() throws {
        let alice = try connect("a1", user: "alice")
        let bob = try connect("b1", user: "bob")
        #expect(try transport.frames(of: "a1").map(\.pushURL) == ["/presence/board:7:presence", "/presence/board:7:presence/joined"])
        #expect(try transport.frames(of: "a1")[1].pushBody == #"{"connections":1,"stream":"board:7:presence","userId":"bob"}"#)
        #expect(presence.list(stream).users.map(\.userId) == ["alice", "bob"])
        try disconnect(bob)
        #expect(try transport.frames(of: "a1").last?.pushURL == "/presence/board:7:presence/left")
        #expect(try transport.frames(of: "a1").last?.pushBody == #"{"connections":0,"stream":"board:7:presence","userId":"bob"}"#)
        #expect(presence.list(stream).users.map(\.userId) == ["alice"])
        _ = alice
    }

    @Test("every change of a user's tab count reaches the others and the user's other tabs with the new count")
    func countUpdates() throws {
        _ = try connect("o1", user: "observer")
        let tab1 = try connect("a1", user: "alice")
        let tab2 = try connect("a2", user: "alice")
        let tab3 = try connect("a3", user: "alice")
        try disconnect(tab2)
        let seen = { (id: String) in try self.transport.frames(of: id).compactMap { frame in frame.pushURL.map { ($0, frame.pushBody ?? "") } } }
        let change = { (count: Int) in #"{"connections":\#(count),"stream":"board:7:presence","userId":"alice"}"# }
        let base = "/presence/board:7:presence"
        #expect(try seen("o1").dropFirst().map(\.0) == [base + "/joined", base + "/updated", base + "/updated", base + "/updated"])
        #expect(try seen("o1").dropFirst().map(\.1) == [change(1), change(2), change(3), change(2)])
        // The first tab hears of the others; the third of the second's closing.
        #expect(try seen("a1").dropFirst().map(\.1) == [change(2), change(3), change(2)])
        #expect(try seen("a3").dropFirst().map(\.1) == [change(2)])
        try disconnect(tab1)
        try disconnect(tab3)
        #expect(try seen("o1").suffix(2).map(\.0) == [base + "/updated", base + "/left"])
        #expect(try seen("o1").suffix(2).map(\.1) == [change(1), change(0)])
    }

    @Test("a user with two tabs joins once and leaves only when both close")
    func twoTabs() throws {
        _ = try connect("o1", user: "observer")
        let tab1 = try connect("a1", user: "alice")
        let tab2 = try connect("a2", user: "alice")
        let urls = { try self.transport.frames(of: "o1").compactMap(\.pushURL) }
        #expect(try urls().filter { $0.hasSuffix("/joined") }.count == 1)
        #expect(presence.list(stream).users == [PresenceList.User(userId: "alice", connections: 2), PresenceList.User(userId: "observer", connections: 1)])
        try disconnect(tab1)
        #expect(try urls().filter { $0.hasSuffix("/left") }.isEmpty)
        try disconnect(tab2)
        #expect(try urls().filter { $0.hasSuffix("/left") }.count == 1)
        #expect(presence.list(stream).users.map(\.userId) == ["observer"])
    }

    @Test("unauthenticated connections receive presence but are not counted")
    func anonymous() throws {
        _ = try connect("x1", user: nil)
        _ = try connect("a1", user: "alice")
        #expect(presence.list(stream).users.map(\.userId) == ["alice"])
        #expect(try transport.frames(of: "x1").map(\.pushURL) == ["/presence/board:7:presence", "/presence/board:7:presence/joined"])
    }

    @Test("the list push is ephemeral: queued twice for one connection, only the last is delivered")
    func listIsEphemeral() throws {
        let queue = SocketQueue(connections: connections, transport: transport)
        let alice = TestConnection("a1", user: "alice")
        connections.add(id: alice.id, handle: "h", userId: "alice")
        let handshake = try features.handshake(query: "features=presence@board:7:presence")
        for delivery in try features.perform(try features.open(handshake, for: alice, rooms: rooms), with: publisher) { queue.enqueue(delivery) }
        for delivery in try features.perform(presence.open(FeatureSession(connection: alice, stream: stream)), with: publisher) { queue.enqueue(delivery) }
        queue.flushNow()
        // Besides the pushes, a1 gets the position notices of the joined pushes it was left out of.
        #expect(try transport.frames(of: "a1").compactMap(\.pushURL) == ["/presence/board:7:presence"])
    }
}
