import Foundation
import RedisTestSupport
import SwitchboardClient
import SwitchboardRedis
import Testing

/// Two and three real node processes (Examples/Cluster) joined by a real `redis-server`.
@Suite("Cluster routing", .serialized, .enabled(if: RedisServerProcess.isAvailableOrRequired))
struct ClusterRoutingTests {
    @Test("a push made on node B reaches a client on node A, and only the nodes holding the room are registered for it")
    func pushCrossesNodes() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let listener = try await cluster.client(a.url)
            _ = try await listener.client.join("lobby")
            let sender = try await cluster.client(b.url)
            try await sender.push("hello from b", toRoom: "lobby")

            let received = try await listener.pushes.wait { $0.contains { $0.text == "hello from b" } }
            #expect(received.map(\.text) == ["hello from b"])
            #expect(received.first?.room == "lobby")
            #expect(received.first?.offset == 1)
            #expect(sender.pushes.all.isEmpty)

            let redis = try await cluster.redisConnection()
            let holders = try await redis.send("ZRANGE", "switchboard:room:lobby", "0", "-1")
            #expect(holders.elements?.compactMap(\.string) == ["a"])
            await redis.close()
        }
    }

    @Test("a room with members on both nodes delivers each push once to each member, in offset order")
    func roomOnBothNodes() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let members = [try await cluster.client(a.url), try await cluster.client(a.url), try await cluster.client(b.url)]
            for member in members { _ = try await member.client.join("team") }
            let fromA = try await cluster.client(a.url)
            let fromB = try await cluster.client(b.url)
            let count = 20
            for index in 1...count {
                try await (index.isMultiple(of: 2) ? fromA : fromB).push("m\(index)", toRoom: "team")
            }
            for member in members {
                let frames = try await member.frames.wait { $0.count >= count }
                try await Task.sleep(for: .milliseconds(100))
                let all = member.frames.all
                #expect(all.count == count, "each push arrives once")
                #expect(all.map(\.offset) == Array(1...UInt64(count)), "offsets are strictly increasing across nodes")
                #expect(Set(all.map(\.epoch)).count == 1)
                #expect(Set(frames.map(\.text)) == Set((1...count).map { "m\($0)" }))
            }
        }
    }

    @Test("a node started later joins with only the Redis URL, and a killed node's entries are gone after its lease")
    func joinAndLeaseExpiry() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a", leaseMilliseconds: ClusterFixture.shortLease)
            let sender = try await cluster.client(a.url)
            try await sender.push("before c", toRoom: "late")

            let c = try await cluster.node("c", leaseMilliseconds: ClusterFixture.shortLease)
            let listener = try await cluster.client(c.url)
            _ = try await listener.client.join("late")
            try await sender.push("after c", toRoom: "late")
            let received = try await listener.pushes.wait { !$0.isEmpty }
            #expect(received.map(\.text) == ["after c"])
            #expect(received.first?.offset == 2, "the later node continues the room's offsets")

            let redis = try await cluster.redisConnection()
            let before = try await redis.send("ZRANGE", "switchboard:nodes", "0", "-1")
            #expect(before.elements?.compactMap(\.string).sorted() == ["a", "c"])
            #expect(try await redis.send("EXISTS", "switchboard:node:c") == .integer(1))

            c.kill()
            try await Task.sleep(for: .milliseconds(2000))
            try await sender.push("after c died", toRoom: "late")
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await redis.send("EXISTS", "switchboard:node:c") == .integer(0))
            let holders = try await redis.send("ZRANGE", "switchboard:room:late", "0", "-1")
            #expect(holders.elements?.compactMap(\.string).contains("c") != true)
            let connections = try await redis.send("KEYS", "switchboard:conn:*")
            let owners = try await withThrowingTaskGroup(of: String.self) { group in
                for key in connections.elements?.compactMap(\.string) ?? [] {
                    group.addTask { try await redis.send("GET", key).string ?? "" }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(!owners.isEmpty)
            #expect(owners.allSatisfy { $0.hasPrefix("a ") }, "only node a's connections are left: \(owners)")
            let (status, body) = try await a.health()
            #expect(status == 200)
            #expect(body.contains("\"status\":\"ok\""))
            #expect(!body.contains("\"c\""))
            await redis.close()
        }
    }

    @Test("a node whose registration for a room lapsed delivers every offset once, in order: the missed ones come from the room's stream")
    func lapsedRegistration() async throws {
        try await ClusterFixture.with { cluster in
            // Long leases: no heartbeat registers node a again during the test.
            let a = try await cluster.node("a", leaseMilliseconds: 60_000)
            let b = try await cluster.node("b", leaseMilliseconds: 60_000)
            let members = [try await cluster.client(a.url), try await cluster.client(a.url), try await cluster.client(b.url)]
            for member in members { _ = try await member.client.join("crew") }
            let onB = members[2]
            let fromA = try await cluster.client(a.url)
            let fromB = try await cluster.client(b.url)
            let redis = try await cluster.redisConnection()
            let key = "switchboard:room:crew"

            try await fromB.push("c1", toRoom: "crew")
            _ = try await members[0].frames.wait { $0.count >= 1 }
            #expect(try await redis.send("ZREM", key, "a") == .integer(1))
            try await fromB.push("c2", toRoom: "crew")
            // Left out: members[1] gets its position instead of c3, also when c3 comes from the stream.
            let deadline = ContinuousClock.now + .seconds(5)
            while members[1].client.session == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            let excluded = try #require(members[1].client.session?.connectionId)
            #expect(try await fromB.client.post("/push/room/crew/except/\(excluded)", Array("c3".utf8)).status == .ok)
            _ = try await onB.frames.wait { $0.count >= 3 }
            // Node a's own push shows it the gap.
            try await fromA.push("c4", toRoom: "crew")
            _ = try await members[0].frames.wait { $0.count >= 4 }
            let holders = try await redis.send("ZRANGE", key, "0", "-1")
            #expect(holders.elements?.compactMap(\.string).sorted() == ["a", "b"], "reading the stream registers node a again")

            #expect(try await redis.send("ZREM", key, "a") == .integer(1))
            try await fromB.push("c5", toRoom: "crew")
            _ = try await onB.frames.wait { $0.count >= 5 }
            #expect(try await redis.send("ZADD", key, "99999999999999", "a") == .integer(1))
            // A push from node b shows it the gap.
            try await fromB.push("c6", toRoom: "crew")
            for (index, member) in members.enumerated() {
                let expected: [UInt64] = index == 1 ? [1, 2, 4, 5, 6] : Array(1...6)
                _ = try await member.frames.wait { $0.count >= expected.count }
                try await Task.sleep(for: .milliseconds(100))
                let all = member.frames.all
                #expect(all.map(\.offset) == expected, "every offset once, in order")
                #expect(all.map(\.text) == expected.map { "c\($0)" })
                #expect(Set(all.map(\.epoch)).count == 1)
            }
            await redis.close()
        }
    }

    @Test("pushes a lapsed node missed that its room's stream no longer keeps are skipped, not waited for: the clients see the gap")
    func lapsedRegistrationTrimmedStream() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a", leaseMilliseconds: 60_000, extra: ["--max-pushes", "1"])
            let b = try await cluster.node("b", leaseMilliseconds: 60_000, extra: ["--max-pushes", "1"])
            let onA = try await cluster.client(a.url)
            let onB = try await cluster.client(b.url)
            for member in [onA, onB] { _ = try await member.client.join("trim") }
            let sender = try await cluster.client(b.url)
            let redis = try await cluster.redisConnection()
            let key = "switchboard:room:trim"

            try await sender.push("t1", toRoom: "trim")
            _ = try await onA.frames.wait { $0.count >= 1 }
            #expect(try await redis.send("ZREM", key, "a") == .integer(1))
            try await sender.push("t2", toRoom: "trim")
            try await sender.push("t3", toRoom: "trim")
            _ = try await onB.frames.wait { $0.count >= 3 }
            #expect(try await redis.send("ZADD", key, "99999999999999", "a") == .integer(1))
            try await sender.push("t4", toRoom: "trim")
            try await sender.push("t5", toRoom: "trim")
            _ = try await onA.frames.wait { $0.count >= 3 }
            try await Task.sleep(for: .milliseconds(100))
            #expect(onA.frames.all.map(\.text) == ["t1", "t4", "t5"])
            #expect(onA.frames.all.map(\.offset) == [1, 4, 5])
            await redis.close()
        }
    }
}
