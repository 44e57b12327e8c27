import Foundation
import Switchboard
@testable import SwitchboardClient
import Synchronization
import Testing

/// Sessions, RESUME, SUBSCRIBE and ACKs against a real server (PROTOCOL.md §4, §7).
@Suite("Client resume after a reconnect")
struct ResumeTests {
    static let board = RoomName("board-1")

    /// A client that records every push (url, room, offset, body), every recovery report and
    /// every frame it sends.
    final class Recorder: Sendable {
        let pushes = Collected<ClientPush>()
        let reports = Collected<RecoveryReport>()
        let sent = Collected<Frame>()
        let client: SwitchboardClient
        private let watcher = Mutex<Task<Void, Never>?>(nil)

        init(_ server: TestServer, reconnectDelay: Duration = .milliseconds(20), _ adjust: (inout ClientConfiguration) -> Void = { _ in }) async throws {
            let sent = self.sent
            client = try await ClientTestSupport.connect(server) { configuration in
                configuration.reconnect = ReconnectPolicy(minimumDelay: reconnectDelay, maximumDelay: reconnectDelay)
                configuration.frameObserver = { direction, frame in
                    if direction == .sent { sent.append(frame) }
                }
                adjust(&configuration)
            }
            let pushes = self.pushes
            client.on("/**") { pushes.append($0) }
            let recoveries = client.recoveries
            let reports = self.reports
            watcher.withLock { $0 = Task { for await report in recoveries { reports.append(report) } } }
            #expect(await TestServer.eventually { client.session != nil })
        }

        func bodies(in room: RoomName = ResumeTests.board) -> [String] {
            pushes.all.filter { $0.room == room.rawValue }.map(\.text)
        }

        func offsets(in room: RoomName = ResumeTests.board) -> [UInt64] {
            pushes.all.filter { $0.room == room.rawValue }.map(\.offset)
        }

        /// How many frames of `kind` (and url, for requests) the client sent.
        func sentCount(_ predicate: (Frame) -> Bool) -> Int { sent.all.filter(predicate).count }

        var resumesSent: Int {
            sentCount { if case .control(let control) = $0 { control.kind == .resume } else { false } }
        }

        var joinsSent: Int {
            sentCount { if case .request(let request) = $0 { request.url == "/_switchboard/rooms/join" } else { false } }
        }

        func close() async {
            await client.close()
            watcher.withLock { $0 }?.cancel()
        }
    }

    static func publish(_ server: TestServer, _ range: ClosedRange<Int>, to room: RoomName = board, delivery: DeliveryClass? = nil) throws {
        for index in range { try server.push("/boards/updated", "\(index)", to: room, delivery: delivery) }
    }

    /// Joins `rooms` and receives `initial` pushes in the first.
    static func prepare(_ recorder: Recorder, _ server: TestServer, rooms: [RoomName] = [board], initial: Int = 5) async throws {
        for room in rooms { try await recorder.client.join(room) }
        try publish(server, 1...initial, to: rooms[0])
        #expect(await TestServer.eventually { recorder.offsets(in: rooms[0]).count == initial })
    }

    /// Cuts the client's TCP connection (no close frame), waits until the server saw the cut
    /// (the old connection is gone from it, its session parked), runs `during`, and waits until
    /// the client resumed. The resume of a session whose old connection the server still thinks
    /// open has tests of its own.
    static func cutAndWaitForResume(_ recorder: Recorder, _ server: TestServer, during: () throws -> Void = {}) async throws {
        let reports = recorder.reports.count
        let old = try #require(recorder.client.session?.connectionId)
        await recorder.client.cutConnection()
        #expect(await TestServer.eventually { server.server?.connections.contains { $0.id.rawValue == old } == false })
        try during()
        #expect(
            await TestServer.eventually { recorder.reports.all.contains { $0.cause == .resume } && recorder.reports.count > reports },
            "no RESUME report; reports: \(recorder.reports.all)"
        )
    }

    @Test("after a TCP cut with 100 pushes meanwhile the client resumes the same session: exactly those 100, in order, then live pushes")
    func resumeAfterCut() async throws {
        let server = try await TestServer.start()
        let recorder = try await Recorder(server)
        try await Self.prepare(recorder, server)
        let before = try #require(recorder.client.session)
        let joins = recorder.joinsSent

        try await Self.cutAndWaitForResume(recorder, server) { try Self.publish(server, 6...105) }
        #expect(await TestServer.eventually { recorder.offsets().count == 105 })
        try Self.publish(server, 106...106)
        #expect(await TestServer.eventually { recorder.offsets().count == 106 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(recorder.offsets() == Array(1...106))
        #expect(recorder.bodies() == (1...106).map(String.init))

        let report = try #require(recorder.reports.all.last)
        #expect(report.cause == .resume && report.sessionResumed && report.reason == nil)
        #expect(report.rooms.map(\.room) == ["board-1"] && report.notRecovered.isEmpty)
        let after = try #require(recorder.client.session)
        #expect(after.sessionId == before.sessionId && after.resumeToken != before.resumeToken && after.resumeToken.count == 32)
        #expect(recorder.resumesSent == 1)
        #expect(recorder.joinsSent == joins, "the restored room is not joined again")
        // The cut connection leaves the room when the server notices its socket closed.
        #expect(await TestServer.eventually { server.server?.rooms.members(of: Self.board).count == 1 })
        await recorder.close()
        try await server.stop()
    }

    @Test("pushes that keep flowing during the replay arrive once each, in order, with no gap")
    func resumeWhilePublishing() async throws {
        var configuration = Configuration()
        configuration.delivery.defaultLimits.maxPushes = 1_000
        let server = try await TestServer.start(configuration: configuration)
        let recorder = try await Recorder(server)
        try await Self.prepare(recorder, server)
        await recorder.client.cutConnection()
        let publisher = Task {
            for index in 6...405 {
                try Self.publish(server, index...index)
                if index % 10 == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
        }
        try await publisher.value
        #expect(await TestServer.eventually { recorder.offsets().count >= 405 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(recorder.offsets() == Array(1...405))
        #expect(recorder.bodies() == (1...405).map(String.init))
        #expect(recorder.reports.all.allSatisfy { $0.notRecovered.isEmpty })
        await recorder.close()
        try await server.stop()
    }

    @Test("a room whose history overflowed is reported recovered:false, the other room is recovered")
    func overflow() async throws {
        var configuration = Configuration()
        configuration.delivery.set(.prefix("board-small-"), limits: HistoryLimits(maxPushes: 10))
        let server = try await TestServer.start(configuration: configuration)
        let small = RoomName("board-small-1")
        let recorder = try await Recorder(server, reconnectDelay: .seconds(1))
        try await Self.prepare(recorder, server, rooms: [Self.board, small])
        try Self.publish(server, 1...2, to: small)
        #expect(await TestServer.eventually { recorder.offsets(in: small) == [1, 2] })

        try await Self.cutAndWaitForResume(recorder, server) {
            try Self.publish(server, 3...20, to: small)
            try Self.publish(server, 6...8)
        }
        let report = try #require(recorder.reports.all.last)
        #expect(report.notRecovered.map(\.room) == ["board-small-1"])
        #expect(report.notRecovered.first?.reason == "history no longer covers offset 2")
        #expect(report.notRecovered.first?.position?.offset == 20)
        #expect(report.rooms.first { $0.room == "board-1" }?.recovered == true)
        #expect(recorder.offsets() == Array(1...8))
        #expect(recorder.offsets(in: small) == [1, 2])
        // The next push continues from the position the answer gave.
        try Self.publish(server, 21...21, to: small)
        #expect(await TestServer.eventually { recorder.offsets(in: small) == [1, 2, 21] })
        #expect(recorder.reports.count == 1)
        await recorder.close()
        try await server.stop()
    }

    @Test("after a server restart on the same port the epoch changed: every room, a quiet joined one too, is recovered:false and restored without a new join")
    func serverRestart() async throws {
        let server = try await TestServer.start()
        let quiet = RoomName("board-2")
        let recorder = try await Recorder(server)
        try await Self.prepare(recorder, server, rooms: [Self.board, quiet])
        let epoch = try #require(recorder.client.roomPositions["board-1"]?.epoch)
        let joins = recorder.joinsSent

        try await server.stop()
        try await server.restart()
        #expect(await TestServer.eventually { recorder.reports.count == 1 })
        let report = try #require(recorder.reports.all.first)
        #expect(!report.sessionResumed && report.reason == "unknown or expired resume token")
        #expect(report.notRecovered.map(\.room) == ["board-1", "board-2"])
        #expect(report.notRecovered.allSatisfy { $0.reason == "epoch changed" })
        #expect(report.notRecovered.first?.position.map { $0.epoch != epoch && $0.offset == 0 } == true)
        #expect(await TestServer.eventually { server.server?.rooms.members(of: quiet).count == 1 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(recorder.joinsSent == joins, "the RESUME restored both rooms")

        try Self.publish(server, 1...1)
        try Self.publish(server, 1...1, to: quiet)
        #expect(await TestServer.eventually { recorder.offsets(in: quiet) == [1] && recorder.offsets() == [1, 2, 3, 4, 5, 1] })
        #expect(recorder.reports.count == 1, "the new epoch's first push is no gap")
        await recorder.close()
        try await server.stop()
    }

    @Test("a sender left out of 5 reliable pushes gets their positions: the 6th push follows with no gap, nothing reported")
    func excludedSender() async throws {
        let server = try await TestServer.start()
        let sender = try await Recorder(server)
        let other = try await Recorder(server)
        try await sender.client.join(Self.board)
        try await other.client.join(Self.board)
        let excluded = ConnectionID(try #require(sender.client.session).connectionId)
        for index in 1...5 { try server.push("/boards/updated", "\(index)", to: Self.board, excluding: excluded) }
        #expect(await TestServer.eventually { sender.client.roomPositions["board-1"]?.offset == 5 })
        #expect(sender.offsets().isEmpty)
        try Self.publish(server, 6...6)
        #expect(await TestServer.eventually { sender.offsets() == [6] && other.offsets() == Array(1...6) })
        try await Task.sleep(for: .milliseconds(50))
        #expect(sender.reports.all.isEmpty && other.reports.all.isEmpty, "no gap")
        #expect(sender.client.roomPositions["board-1"] == other.client.roomPositions["board-1"])
        await sender.close()
        await other.close()
        try await server.stop()
    }

    @Test("pushes that left the client out are not replayed after a cut: the next one follows, recovered, no gap")
    func excludedThenResume() async throws {
        let server = try await TestServer.start()
        let recorder = try await Recorder(server, reconnectDelay: .seconds(1))
        try await Self.prepare(recorder, server, initial: 2)
        let excluded = ConnectionID(try #require(recorder.client.session).connectionId)
        try await Self.cutAndWaitForResume(recorder, server) {
            for index in 3...5 { try server.push("/boards/updated", "\(index)", to: Self.board, excluding: excluded) }
            try Self.publish(server, 6...6)
        }
        #expect(await TestServer.eventually { recorder.offsets() == [1, 2, 6] })
        try await Task.sleep(for: .milliseconds(50))
        #expect(recorder.bodies() == ["1", "2", "6"])
        let report = try #require(recorder.reports.all.last)
        #expect(report.cause == .resume && report.sessionResumed && report.notRecovered.isEmpty, "\(report)")
        #expect(recorder.reports.count == 1, "no gap report")
        #expect(recorder.client.roomPositions["board-1"]?.offset == 6)
        await recorder.close()
        try await server.stop()
    }

    @Test("a joined quiet room has a position: after a cut with 3 pushes meanwhile exactly those 3 are replayed, recovered")
    func quietJoinedRoom() async throws {
        let server = try await TestServer.start()
        let recorder = try await Recorder(server, reconnectDelay: .seconds(1))
        try await recorder.client.join(Self.board)
        let position = try #require(recorder.client.roomPositions["board-1"])
        #expect(position.epoch != 0 && position.offset == 0)
        try await Self.cutAndWaitForResume(recorder, server) { try Self.publish(server, 1...3) }
        #expect(await TestServer.eventually { recorder.offsets() == [1, 2, 3] })
        try await Task.sleep(for: .milliseconds(50))
        #expect(recorder.bodies() == ["1", "2", "3"])
        let report = try #require(recorder.reports.all.last)
        #expect(report.rooms.first { $0.room == "board-1" }?.recovered == true && report.notRecovered.isEmpty)
        #expect(recorder.client.roomPositions["board-1"] == RoomPosition(epoch: position.epoch, offset: 3))
        await recorder.close()
        try await server.stop()
    }

    @Test("a signed-in user's room has a position from HELLO: after a cut, the push to the user meanwhile is replayed and every room is recovered")
    func userRoomFromHello() async throws {
        let server = try await TestServer.start(authentication: TokenAuthentication { $0 == "good" ? Identity(userId: "alice") : nil })
        let recorder = try await Recorder(server, reconnectDelay: .seconds(1)) { $0.tokenProvider = { "good" } }
        let user = RoomName.user("alice")
        #expect(recorder.client.roomPositions[user.rawValue].map { $0.epoch != 0 && $0.offset == 0 } == true)
        #expect(!recorder.client.roomPositions.keys.contains { $0.hasPrefix("client-") }, "a random client id's room is never resumed")
        try await Self.prepare(recorder, server)
        try await Self.cutAndWaitForResume(recorder, server) { try Self.publish(server, 1...1, to: user) }
        #expect(await TestServer.eventually { recorder.offsets(in: user) == [1] })
        let report = try #require(recorder.reports.all.last)
        #expect(report.sessionResumed && report.notRecovered.isEmpty, "\(report)")
        #expect(Set(report.rooms.map(\.room)) == ["board-1", "user-alice"])
        await recorder.close()
        try await server.stop()
    }

    @Test("a joined quiet room cut with nothing published meanwhile is recovered with no push")
    func quietJoinedRoomNothingMissed() async throws {
        let server = try await TestServer.start()
        let recorder = try await Recorder(server, reconnectDelay: .seconds(1))
        try await recorder.client.join(Self.board)
        let position = try #require(recorder.client.roomPositions["board-1"])
        try await Self.cutAndWaitForResume(recorder, server)
        let report = try #require(recorder.reports.all.last)
        #expect(report.rooms.first { $0.room == "board-1" }?.recovered == true && report.notRecovered.isEmpty)
        #expect(recorder.offsets().isEmpty)
        #expect(recorder.client.roomPositions["board-1"] == position)
        await recorder.close()
        try await server.stop()
    }

    @Test("a room left before the cut is not resumed")
    func leftRoom() async throws {
        let server = try await TestServer.start()
        let other = RoomName("board-3")
        let recorder = try await Recorder(server)
        try await Self.prepare(recorder, server, rooms: [Self.board, other])
        try Self.publish(server, 1...2, to: other)
        #expect(await TestServer.eventually { recorder.offsets(in: other) == [1, 2] })
        try await recorder.client.leave(other)
        try await Self.cutAndWaitForResume(recorder, server)
        #expect(recorder.reports.all.last?.rooms.map(\.room) == ["board-1"])
        #expect(server.server?.rooms.members(of: other).isEmpty == true)
        await recorder.close()
        try await server.stop()
    }

    @Test("volatile pushes are not replayed; latest pushes replay only the newest per key")
    func deliveryClasses() async throws {
        let server = try await TestServer.start()
        let recorder = try await Recorder(server, reconnectDelay: .seconds(1))
        try await Self.prepare(recorder, server)
        try await Self.cutAndWaitForResume(recorder, server) {
            try Self.publish(server, 100...104, delivery: .volatile)
            for (key, values) in [("cursor-a", 1...4), ("cursor-b", 1...3)] {
                for value in values { try server.push("/cursor", "\(key)=\(value)", to: Self.board, delivery: .latest(key: key)) }
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(Array(recorder.bodies().dropFirst(5)) == ["cursor-a=4", "cursor-b=3"])
        #expect(recorder.reports.all.last?.notRecovered.isEmpty == true)
        #expect(recorder.client.roomPositions["board-1"]?.offset == 5)
        await recorder.close()
        try await server.stop()
    }

    @Test("a GET that subscribes exposes the room's position; after a cut exactly the 10 changes since arrive")
    func subscribeThenResume() async throws {
        let server = try await TestServer.start()
        let recorder = try await Recorder(server, reconnectDelay: .seconds(1))
        try Self.publish(server, 1...3)
        let response = try await recorder.client.get("/rooms/board-1/read")
        #expect(response.text == "state")
        let subscription = try #require(response.subscription)
        #expect(subscription.room == "board-1" && subscription.offset == 3 && subscription.epoch != 0)
        #expect(recorder.client.roomPositions["board-1"] == RoomPosition(epoch: subscription.epoch, offset: 3))
        #expect(try await recorder.client.get("/echo").subscription == nil)

        try await Self.cutAndWaitForResume(recorder, server) { try Self.publish(server, 4...13) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(recorder.offsets() == Array(4...13))
        #expect(recorder.bodies() == (4...13).map(String.init))
        #expect(recorder.reports.all.last?.notRecovered.isEmpty == true)
        await recorder.close()
        try await server.stop()
    }

    @Test("a deliberate close ends the session: a new client gets a fresh one and sends no RESUME")
    func deliberateClose() async throws {
        let server = try await TestServer.start()
        let first = try await Recorder(server)
        try await Self.prepare(first, server)
        let old = try #require(first.client.session)
        await first.close()
        #expect(first.client.state == .closed)
        #expect(first.resumesSent == 0)

        let second = try await Recorder(server)
        let fresh = try #require(second.client.session)
        #expect(fresh.sessionId != old.sessionId && fresh.resumeToken != old.resumeToken)
        #expect(second.resumesSent == 0)
        #expect(second.client.roomPositions.isEmpty)
        await second.close()
        try await server.stop()
    }

    @Test("ACKs leave every 50 pushes and after the interval; the server releases the acknowledged history")
    func acknowledgements() async throws {
        let server = try await TestServer.start()
        let recorder = try await Recorder(server) { $0.ackInterval = .milliseconds(200) }
        try await recorder.client.join(Self.board)
        try Self.publish(server, 1...120)
        #expect(await TestServer.eventually { recorder.offsets().count == 120 })
        #expect(await TestServer.eventually { server.server?.publisher.history.storedCount(of: Self.board) == 0 })
        let acks = recorder.sent.all.compactMap { frame -> AckFrame? in if case .ack(let ack) = frame { ack } else { nil } }
        #expect(acks.map(\.offset) == [50, 100, 120])
        #expect(acks.allSatisfy { $0.room == "board-1" && $0.epoch == recorder.pushes.all.last?.epoch })
        await recorder.close()
        try await server.stop()
    }
}
