import Testing
@testable import SwitchboardCore

@Suite("Socket queue")
struct SocketQueueTests {
    let connections: ConnectionRegistry<String>
    let transport = RecordingTransport()
    let queue: SocketQueue<String>
    let c1 = ConnectionID("c1"), c2 = ConnectionID("c2"), c3 = ConnectionID("c3")

    init() {
        connections = ConnectionRegistry<String>()
        for id in ["c1", "c2", "c3"] { connections.add(id: ConnectionID(id), handle: "h-" + id) }
        queue = SocketQueue(connections: connections, transport: transport)
    }

    @Test("everything queued for one connection arrives as one batch, sorted by created time across targets")
    func batchedAndSorted() async throws {
        try queue.send(connectionId: c1, message: PushMessage(url: "/tasks/3/updated", createdAt: 30), room: .tasks("7"))
        try queue.send(connectionId: c1, message: PushMessage(url: "/boards/7/updated", createdAt: 10), room: .board("7"))
        try queue.send(connectionId: c1, message: PushMessage(url: "/sprints/1/created", createdAt: 20))
        await queue.flush()
        #expect(transport.deliveries.count == 1)
        let frames = try transport.frames(of: "c1")
        #expect(frames.map(\.pushURL) == ["/boards/7/updated", "/sprints/1/created", "/tasks/3/updated"])
        #expect(FrameKind(byte: transport.deliveries[0].bytes[0]) == .batch)
        #expect(queue.isEmpty)
    }

    @Test("messages with the same created time keep the order they were queued in")
    func stableTies() throws {
        for index in 0..<5 { try queue.send(connectionId: c1, message: PushMessage(url: "/m/\(index)", createdAt: 7)) }
        queue.flushNow()
        #expect(try transport.frames(of: "c1").map(\.pushURL) == (0..<5).map { "/m/\($0)" })
    }

    @Test("a single queued push goes out unbatched, the very bytes encoded for it")
    func single() throws {
        let message = PushMessage(url: "/x", body: [1, 2])
        try queue.send(connectionId: c1, message: message)
        let deliveries = queue.drain()
        #expect(deliveries.count == 1)
        #expect(deliveries[0].bytes == (try message.encodedFrame()))
    }

    @Test("ephemeral pushes with the same url to one connection merge into the last one")
    func ephemeralMerge() throws {
        try queue.send(connectionId: c1, message: PushMessage(url: "/typing", body: Array("1".utf8), createdAt: 1, delivery: .latest(key: "")))
        try queue.send(connectionId: c1, message: PushMessage(url: "/chat/new-message", createdAt: 2))
        try queue.send(connectionId: c1, message: PushMessage(url: "/typing", body: Array("3".utf8), createdAt: 3, delivery: .latest(key: "")))
        try queue.send(connectionId: c1, message: PushMessage(url: "/cursor", body: Array("4".utf8), createdAt: 4, delivery: .latest(key: "")))
        try queue.send(connectionId: c2, message: PushMessage(url: "/typing", body: Array("5".utf8), createdAt: 5, delivery: .latest(key: "")))
        queue.flushNow()
        let frames = try transport.frames(of: "c1")
        #expect(frames.map(\.pushURL) == ["/chat/new-message", "/typing", "/cursor"])
        #expect(frames[1].pushBody == "3")
        #expect(try transport.frames(of: "c2").map(\.pushBody) == ["5"])
    }

    @Test("non-ephemeral pushes with the same url are all kept")
    func nonEphemeralKept() throws {
        for index in 0..<3 { try queue.send(connectionId: c1, message: PushMessage(url: "/chat/new-message", body: Array("\(index)".utf8), createdAt: Int64(index))) }
        queue.flushNow()
        #expect(try transport.frames(of: "c1").map(\.pushBody) == ["0", "1", "2"])
    }

    @Test("ephemeral pushes to different rooms do not merge")
    func ephemeralPerRoom() throws {
        try queue.send(connectionId: c1, message: PushMessage(url: "/presence", createdAt: 1, delivery: .latest(key: "")), room: "a")
        try queue.send(connectionId: c1, message: PushMessage(url: "/presence", createdAt: 2, delivery: .latest(key: "")), room: "b")
        queue.flushNow()
        #expect(try transport.frames(of: "c1").count == 2)
    }

    @Test("global pushes interleave by time with each connection's own; connections with only globals share one delivery")
    func globals() throws {
        try queue.sendGlobal(PushMessage(url: "/maintenance", createdAt: 5))
        try queue.send(connectionId: c1, message: PushMessage(url: "/own/early", createdAt: 1))
        try queue.send(connectionId: c1, message: PushMessage(url: "/own/late", createdAt: 9))
        queue.flushNow()
        #expect(try transport.frames(of: "c1").map(\.pushURL) == ["/own/early", "/maintenance", "/own/late"])
        #expect(try transport.frames(of: "c2").map(\.pushURL) == ["/maintenance"])
        #expect(transport.deliveries.count == 2)
        #expect(transport.deliveries.contains { ids($0.recipients) == ["c2", "c3"] })
    }

    @Test("a publisher's group delivery is queued for each recipient with its bytes shared")
    func enqueueDelivery() throws {
        let rooms = RoomRegistry()
        rooms.join(.board("7"), c1)
        rooms.join(.board("7"), c2)
        let publisher = PushPublisher(connections: connections, rooms: rooms)
        queue.enqueue(try publisher.sendToGroup(.board("7"), PushMessage(url: "/boards/7/updated", createdAt: 2)))
        try queue.send(connectionId: c1, message: PushMessage(url: "/users/u1/updated", createdAt: 1))
        queue.flushNow()
        #expect(try transport.frames(of: "c1").map(\.pushURL) == ["/users/u1/updated", "/boards/7/updated"])
        #expect(try transport.frames(of: "c2").map(\.pushURL) == ["/boards/7/updated"])
        #expect(try transport.frames(of: "c3").isEmpty)
    }

    @Test("pushes for a connection that closed before the flush are dropped")
    func goneDropped() throws {
        try queue.send(connectionId: c1, message: PushMessage(url: "/x"))
        try queue.send(connectionId: ConnectionID("never"), message: PushMessage(url: "/x"))
        connections.remove(c1)
        queue.flushNow()
        #expect(transport.deliveries.isEmpty)
    }

    @Test("clear drops everything queued, and flushing an empty queue delivers nothing")
    func clear() throws {
        try queue.send(connectionId: c1, message: PushMessage(url: "/x"))
        try queue.sendGlobal(PushMessage(url: "/y"))
        queue.clear()
        #expect(queue.isEmpty)
        queue.flushNow()
        #expect(transport.deliveries.isEmpty)
    }

    @Test("a batch built from encoded frames decodes to the same frames")
    func encodedBatch() throws {
        let frames: [Frame] = [.push(PushFrame(url: "/a", room: "r", data: [1])), .push(PushFrame(url: "/b"))]
        let bytes = FrameCodec.batch(ofEncoded: try frames.map { try FrameCodec.encode($0) })
        #expect(bytes == (try FrameCodec.encode(.batch(frames))))
    }
}
