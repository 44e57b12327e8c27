import Foundation
import RedisTestSupport
import SwitchboardClient
import SwitchboardRedis
import Synchronization
import Testing

/// Nodes and Redis going away under traffic.
@Suite("Cluster failover", .serialized, .enabled(if: RedisServerProcess.isAvailableOrRequired))
struct ClusterFailoverTests {
    /// Pushes `count` numbered messages to `room`, one every `interval`, calling `midway` once
    /// after `after` of them.
    private func traffic(
        from sender: RecordingClient, room: String, count: Int, interval: Duration = .milliseconds(10),
        after: Int, midway: () async throws -> Void
    ) async throws {
        for index in 1...count {
            try await sender.push("p\(index)", toRoom: room)
            if index == after { try await midway() }
            try await Task.sleep(for: interval)
        }
    }

    @Test("a node killed with SIGKILL under traffic: its client resumes on the other node with nothing lost")
    func nodeKilledUnderTraffic() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let balancer = try await SwitchingProxy.start(upstream: a.port)
            let listener = try await cluster.client("ws://127.0.0.1:\(balancer.port)/ws")
            _ = try await listener.client.join("feed")
            // The client's recovery reports, to tell a failed resume from a lost push.
            let reports = listener.client.recoveries
            let collected = Mutex<[RecoveryReport]>([])
            let collector = Task { for await report in reports { collected.withLock { $0.append(report) } } }
            defer { collector.cancel() }
            let sender = try await cluster.client(b.url)
            let count = 60
            try await traffic(from: sender, room: "feed", count: count, after: 20) {
                a.kill()
                balancer.switchTo(b.port)
            }
            let received = try await listener.pushes.wait(timeout: .seconds(15)) { $0.count >= count }
            let seen = collected.withLock { $0 }
            #expect(received.map(\.text) == (1...count).map { "p\($0)" }, "every push once, in order; recovery reports: \(seen)")
            #expect(received.map(\.offset) == Array(1...UInt64(count)))
            await balancer.close()
        }
    }

    @Test("a connection dropped on a live node parks its session in Redis: the client resumes it on another node")
    func sessionResumedOnAnotherNode() async throws {
        try await ClusterFixture.with { cluster in
            let (a, b) = (try await cluster.node("a"), try await cluster.node("b"))
            let sender = try await cluster.client(b.url)
            let (balancer, listener) = try await Self.listenerInDesk(cluster, via: a, firstPushFrom: sender)
            let reports = listener.client.recoveries

            balancer.switchTo(b.port)
            balancer.dropAll()
            try await Task.sleep(for: .milliseconds(20))
            try await sender.push("d2", toRoom: "desk")
            let report = await Self.first(reports)
            #expect(report?.sessionResumed == true, "the session parked by node a is claimed on node b: \(String(describing: report))")
            #expect(report?.rooms.first { $0.room == "desk" }?.recovered == true, "\(String(describing: report))")
            let received = try await listener.pushes.wait { $0.count >= 2 }
            #expect(received.map(\.text) == ["d1", "d2"])
            await balancer.close()
        }
    }

    @Test("a push that left out a dropped connection is not replayed to its session on another node: its position comes instead")
    func exclusionKeptAcrossNodes() async throws {
        try await ClusterFixture.with { cluster in
            let (a, b) = (try await cluster.node("a"), try await cluster.node("b"))
            let senderOnA = try await cluster.client(a.url)
            let (balancer, listener) = try await Self.listenerInDesk(cluster, via: a, firstPushFrom: senderOnA)
            let old = try #require(listener.client.session?.connectionId)
            let reports = listener.client.recoveries

            balancer.switchTo(b.port)
            balancer.dropAll()
            // Node a publishes a push that leaves out the dropped connection: its session (live or
            // parked on a) travels with the push into the room's stream.
            let response = try await senderOnA.client.post("/push/room/desk/except/\(old)", Array("not for ada".utf8))
            #expect(response.status == .ok)
            let report = await Self.first(reports)
            #expect(report?.sessionResumed == true, "\(String(describing: report))")
            #expect(report?.rooms.first { $0.room == "desk" }?.recovered == true, "\(String(describing: report))")
            try await senderOnA.push("d3", toRoom: "desk")
            let received = try await listener.pushes.wait { $0.contains { $0.text == "d3" } }
            #expect(received.map(\.text) == ["d1", "d3"], "the excluded push is not replayed")
            #expect(received.map(\.offset) == [1, 3])
            #expect(listener.client.roomPositions["desk"]?.offset == 3)
            await balancer.close()
        }
    }

    /// ada, connected to `node` through a switching proxy, in room `desk`, with the push `d1`
    /// from `sender` received.
    private static func listenerInDesk(
        _ cluster: ClusterFixture, via node: NodeProcess, firstPushFrom sender: RecordingClient
    ) async throws -> (SwitchingProxy, RecordingClient) {
        let balancer = try await SwitchingProxy.start(upstream: node.port)
        let listener = try await cluster.client("ws://127.0.0.1:\(balancer.port)/ws", user: "ada")
        _ = try await listener.client.join("desk")
        try await sender.push("d1", toRoom: "desk")
        _ = try await listener.pushes.wait { $0.count >= 1 }
        return (balancer, listener)
    }

    /// The first recovery report of `reports`.
    private static func first(_ reports: AsyncStream<RecoveryReport>) async -> RecoveryReport? {
        for await report in reports { return report }
        return nil
    }

    /// Waits until the node's health answers `status`.
    private func waitForHealth(_ node: NodeProcess, _ status: Int, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = (0, "")
        while ContinuousClock.now < deadline {
            last = try await node.health()
            if last.0 == status { return last.1 }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("node \(node.nodeId) health stayed \(last)")
        return last.1
    }

    @Test("Redis restarted with its data between pushes: the nodes re-register and pushes continue on the same epoch with nothing lost")
    func redisRestartKeepingData() async throws {
        try await ClusterFixture.with(redisArguments: ["--appendonly", "yes", "--appendfsync", "always"]) { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let listener = try await cluster.client(a.url)
            _ = try await listener.client.join("news")
            let sender = try await cluster.client(b.url)
            for index in 1...10 { try await sender.push("n\(index)", toRoom: "news") }
            _ = try await listener.pushes.wait { $0.count >= 10 }

            try await cluster.redis.restart()
            _ = try await waitForHealth(b, 200)
            _ = try await waitForHealth(a, 200)
            for index in 11...20 { try await sender.push("n\(index)", toRoom: "news") }
            let received = try await listener.pushes.wait { $0.count >= 20 }
            #expect(received.map(\.text) == (1...20).map { "n\($0)" })
            #expect(received.map(\.offset) == Array(1...20))
            #expect(Set(received.map(\.epoch)).count == 1, "the stream survived, so did its epoch")
        }
    }

    @Test("Redis restarted empty: degraded health while it is down, local pushes go on, and the lost stream shows as a new epoch")
    func redisRestartLosingData() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let listener = try await cluster.client(a.url)
            _ = try await listener.client.join("news")
            let local = try await cluster.client(a.url)
            let sender = try await cluster.client(b.url)
            for index in 1...5 { try await sender.push("n\(index)", toRoom: "news") }
            _ = try await listener.pushes.wait { $0.count >= 5 }

            cluster.redis.stop()
            let degraded = try await waitForHealth(a, 503)
            #expect(degraded.contains("\"status\":\"degraded\""))
            try await local.push("while down", toRoom: "news")
            let during = try await listener.pushes.wait { $0.count >= 6 }
            #expect(during.last?.text == "while down", "a push on the same node is delivered while Redis is down")

            try await cluster.redis.restart()
            _ = try await waitForHealth(a, 200)
            _ = try await waitForHealth(b, 200)
            try await sender.push("after", toRoom: "news")
            let received = try await listener.pushes.wait { $0.contains { $0.text == "after" } }
            let first = try #require(received.first)
            let last = try #require(received.last)
            #expect(last.text == "after")
            #expect(last.epoch != first.epoch, "a lost stream is a new epoch, never a silent gap")
            #expect(last.offset == 1)
        }
    }
}
