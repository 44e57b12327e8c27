import Foundation
import RedisTestSupport
import SwitchboardClient
import SwitchboardRedis
import Testing

/// Presence counted across nodes: each user's tabs summed over the nodes.
@Suite("Cluster presence", .serialized, .enabled(if: RedisServerProcess.isAvailableOrRequired))
struct ClusterPresenceTests {
    static let stream = "board:1:presence"

    /// A client of `node` with presence open on ``stream``, whose presence pushes are recorded.
    private func presenceClient(_ cluster: ClusterFixture, _ node: NodeProcess, user: String) async throws -> (RecordingClient, EventLog<PresencePush>) {
        let client = try await cluster.client(node.url + "?features=presence@" + Self.stream, user: user)
        let log = EventLog<PresencePush>()
        _ = client.client.on("/presence/**") { push in log.append(PresencePush(url: push.url, text: push.text)) }
        return (client, log)
    }

    /// Polls the presence list route through `client` until `expected` holds for its users and
    /// their counts, at most 5 s.
    private func list(through client: RecordingClient, until expected: @escaping ([String: Int]) -> Bool) async throws -> [String: Int] {
        let deadline = ContinuousClock.now + .seconds(5)
        var users: [String: Int] = [:]
        while ContinuousClock.now < deadline {
            let body = try await client.client.get("/_switchboard/presence/" + Self.stream).body
            let list = try JSONDecoder().decode(ListBody.self, from: Data(body))
            users = Dictionary(uniqueKeysWithValues: list.users.map { ($0.userId, $0.connections) })
            if expected(users) { return users }
            try await Task.sleep(for: .milliseconds(50))
        }
        return users
    }

    private struct ListBody: Decodable {
        struct User: Decodable {
            var userId: String
            var connections: Int
        }

        var users: [User]
    }

    @Test("a user with tabs on two nodes is counted once with both tabs; closing one tab is 'updated', not 'left'")
    func tabsOnTwoNodes() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a")
            let b = try await cluster.node("b")
            let (aliceOnA, _) = try await presenceClient(cluster, a, user: "alice")
            let (_, aliceOnBLog) = try await presenceClient(cluster, b, user: "alice")
            let (bobOnB, bobLog) = try await presenceClient(cluster, b, user: "bob")

            let expected = ["alice": 2, "bob": 1]
            let listed = try await list(through: aliceOnA) { $0 == expected }
            #expect(listed == expected, "the list on node a counts node b's tabs")
            let joinedOnB = try await aliceOnBLog.wait { $0.contains { $0.url.hasSuffix("/joined") && $0.change?.userId == "bob" } }
            #expect(joinedOnB.contains { $0.url.hasSuffix("/joined") && $0.change?.userId == "bob" })

            await aliceOnA.client.close()
            _ = try await bobLog.wait { $0.contains { $0.change == Change(userId: "alice", connections: 1) } }
            try await Task.sleep(for: .milliseconds(200))
            // compactMap rather than filter: `filter` here kept nothing on Swift 6.3.1.
            let aboutAlice = bobLog.all.compactMap { push in push.change?.userId == "alice" ? push : nil }
            #expect(aboutAlice.last?.url == "/presence/board:1:presence/updated", "\(bobLog.all)")
            #expect(aboutAlice.last?.change?.connections == 1)
            #expect(!aboutAlice.contains { $0.url.hasSuffix("/left") }, "alice still has a tab on node b: \(aboutAlice)")
            let after = try await list(through: bobOnB) { $0["alice"] == 1 }
            #expect(after == ["alice": 1, "bob": 1])
        }
    }

    @Test("the users of a node that dies are reported 'left' once its lease has passed")
    func deadNodeUsersLeave() async throws {
        try await ClusterFixture.with { cluster in
            let a = try await cluster.node("a", leaseMilliseconds: ClusterFixture.shortLease)
            let b = try await cluster.node("b", leaseMilliseconds: ClusterFixture.shortLease)
            _ = try await presenceClient(cluster, a, user: "carol")
            let (bobOnB, bobLog) = try await presenceClient(cluster, b, user: "bob")
            _ = try await list(through: bobOnB) { $0["carol"] == 1 }

            a.kill()
            let pushes = try await bobLog.wait(timeout: .seconds(10)) { $0.contains { $0.url.hasSuffix("/left") } }
            let left = pushes.filter { $0.url.hasSuffix("/left") }
            #expect(left.map(\.change) == [Change(userId: "carol", connections: 0)])
            let after = try await list(through: bobOnB) { $0["carol"] == nil }
            #expect(after == ["bob": 1])
        }
    }
}

/// A presence push as a client received it.
struct PresencePush: Sendable, Hashable {
    var url: String
    var text: String

    /// The body of a joined/updated/left push.
    var change: Change? { try? JSONDecoder().decode(Change.self, from: Data(text.utf8)) }
}

/// Whose count a presence push reports, and the count.
struct Change: Sendable, Hashable, Decodable {
    var userId: String
    var connections: Int
}
