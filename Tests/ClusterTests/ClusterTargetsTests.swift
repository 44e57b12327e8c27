import Foundation
import RedisTestSupport
import SwitchboardClient
import SwitchboardRedis
import Testing

/// Users, single connections, everyone, and sessions across nodes.
@Suite("Cluster targets", .serialized, .enabled(if: RedisServerProcess.isAvailableOrRequired))
struct ClusterTargetsTests {
    @Test("a push to a user reaches the user's connections on every node, and disconnect(user:) closes them on every node")
    func userAcrossNodes() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let onA = try await cluster.client(a.url, user: "ada")
            let onB = try await cluster.client(b.url, user: "ada")
            let other = try await cluster.client(b.url, user: "bob")
            let response = try await other.client.post("/push/user/ada", Array("hi ada".utf8))
            #expect(response.status == .ok)
            for client in [onA, onB] {
                let received = try await client.pushes.wait { !$0.isEmpty }
                #expect(received.map(\.text) == ["hi ada"])
                #expect(received.first?.room == "user-ada")
            }
            #expect(other.pushes.all.isEmpty)

            let closedHere = try await other.client.post("/disconnect/ada")
            #expect(closedHere.text == "1", "node b closed its own connection of ada")
            for client in [onA, onB] {
                let deadline = ContinuousClock.now + .seconds(5)
                while ContinuousClock.now < deadline, client.client.closeReason == nil, client.client.state == .open {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(client.client.state != .open, "ada's connection is closed on every node")
            }
            #expect(other.client.state == .open)
        }
    }

    @Test("a push to one connection on another node carries that connection's client room, with its offset")
    func connectionOnAnotherNode() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let target = try await cluster.client(a.url)
            let sender = try await cluster.client(b.url)
            let deadline = ContinuousClock.now + .seconds(5)
            while target.client.session == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            let id = try #require(target.client.session?.connectionId)
            for text in ["one", "two"] {
                let response = try await sender.client.post("/push/connection/\(id)", Array(text.utf8))
                #expect(response.status == .ok)
            }
            let received = try await target.pushes.wait { $0.count >= 2 }
            #expect(received.map(\.text) == ["one", "two"])
            #expect(received.allSatisfy { $0.room.hasPrefix("client-") })
            #expect(received.map(\.offset) == [1, 2])
            #expect(sender.pushes.all.isEmpty)
        }
    }

    @Test("a new connection's random client room starts without a load: the epoch its HELLO gives is the one Redis keeps and pushes from another node carry")
    func randomClientRoomStartedWithoutLoad() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let before = try await Self.historyLoads(of: a)
            var targets: [RecordingClient] = []
            for _ in 0..<3 { targets.append(try await cluster.client(a.url)) }
            let anonymous = try await Self.historyLoads(of: a)
            #expect(anonymous == before, "anonymous connections (random client rooms only) read no history from Redis")
            // A user's room is shared: its first connection here reads it, a second one does not.
            _ = try await cluster.client(a.url, user: "ada")
            _ = try await cluster.client(a.url, user: "ada")
            #expect(try await Self.historyLoads(of: a) == anonymous + 1)

            let sender = try await cluster.client(b.url)
            let redis = try await cluster.redisConnection()
            for target in targets {
                let hello = try #require(try await target.hellos.wait { !$0.isEmpty }.first)
                let room = "client-" + hello.clientId
                #expect(RoomName(room).isRandomClientRoom)
                let epoch = try #require(hello.rooms?[room]?.epoch)
                #expect(hello.rooms?[room]?.offset == 0)
                let kept = try await redis.send("HGET", "switchboard:meta:" + room, "epoch")
                #expect(kept.string == String(epoch), "Redis keeps the epoch node a gave in the HELLO")
                let response = try await sender.client.post("/push/connection/\(hello.connectionId)", Array("to \(hello.clientId)".utf8))
                #expect(response.status == .ok)
                let received = try await target.pushes.wait { !$0.isEmpty }
                #expect(received.map(\.text) == ["to \(hello.clientId)"])
                #expect(received.first?.room == room)
                #expect(received.first?.epoch == epoch)
                #expect(received.first?.offset == 1)
            }
            await redis.close()
        }
    }

    /// The node's `historyLoads`, from its health route.
    private static func historyLoads(of node: NodeProcess) async throws -> Int {
        let (_, body) = try await node.health()
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return try #require(json?["historyLoads"] as? Int, "health: \(body)")
    }

    @Test("a push to everyone reaches every node's connections once")
    func everyone() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let clients = [try await cluster.client(a.url), try await cluster.client(b.url), try await cluster.client(b.url)]
            _ = try await clients[0].client.post("/push/everyone", Array("all".utf8))
            for client in clients {
                let received = try await client.pushes.wait { !$0.isEmpty }
                try await Task.sleep(for: .milliseconds(50))
                #expect(client.pushes.all.map(\.text) == ["all"], "\(received)")
            }
        }
    }

    @Test("each published message is one EVALSHA: Redis's command counts grow by one script call, one XADD and one PUBLISH per push")
    func oneRoundTripPerMessage() async throws {
        try await ClusterFixture.with { cluster in
            // Long leases: no heartbeat falls inside the measured window.
            let a = try await cluster.node("a", leaseMilliseconds: 60_000)
            let b = try await cluster.node("b", leaseMilliseconds: 60_000)
            let listener = try await cluster.client(a.url)
            _ = try await listener.client.join("counted")
            let local = try await cluster.client(b.url)
            _ = try await local.client.join("counted")
            let sender = try await cluster.client(b.url)
            let redis = try await cluster.redisConnection()
            // The connections' own registrations (sent on open, not waited for) land first.
            try await Task.sleep(for: .milliseconds(300))
            let before = try await Self.commandCounts(redis)
            let count = 25
            for index in 1...count { try await sender.push("c\(index)", toRoom: "counted") }
            _ = try await listener.pushes.wait { $0.count >= count }
            _ = try await local.pushes.wait { $0.count >= count }
            let after = try await Self.commandCounts(redis)
            let delta = after.merging(before) { $0 - $1 }
            #expect(delta["evalsha"] == count)
            #expect(delta["xadd"] == count)
            #expect(delta["publish"] == count, "one PUBLISH per push: node a only; node b's member gets it from the reply")
            await redis.close()
        }
    }

    /// `calls` per command from `INFO commandstats`.
    static func commandCounts(_ redis: RedisConnection) async throws -> [String: Int] {
        let info = try await redis.send("INFO", "commandstats").string ?? ""
        var counts: [String: Int] = [:]
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            let name = line.dropFirst("cmdstat_".count).prefix { $0 != ":" }
            if let calls = line.split(separator: ",").first?.split(separator: "=").last.flatMap({ Int($0) }) {
                counts[String(name)] = calls
            }
        }
        return counts
    }
}
