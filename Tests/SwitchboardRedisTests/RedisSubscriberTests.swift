import NIOCore
import RedisTestSupport
import SwitchboardRedis
import Testing

@Suite(
    "Redis subscriber against a real redis-server",
    .enabled(if: RedisServerProcess.isAvailableOrRequired, "redis-server is not installed (apt-get install -y redis-server)")
)
struct RedisSubscriberTests {
    typealias Event = RedisSubscriber.Event

    static func message(_ channel: String, _ text: String, pattern: String? = nil) -> Event {
        .message(RedisPubSubMessage(channel: channel, pattern: pattern, payload: Array(text.utf8)))
    }

    @Test(
        "messages published to subscribed channels and patterns arrive; after unsubscribing they stop",
        arguments: [RedisConfiguration.ProtocolVersion.resp2, .resp3]
    )
    func subscribeAndUnsubscribe(version: RedisConfiguration.ProtocolVersion) async throws {
        try await RedisServerProcess.with { server in
            let events = EventLog<Event>()
            let subscriber = try await RedisSubscriber.connect(configuration: server.configuration(version)) {
                events.append($0)
            }
            let publisher = try await RedisConnection.connect(configuration: server.configuration())
            try await subscriber.subscribe(["news", "sport"])
            try await subscriber.psubscribe(["room.*"])
            #expect(subscriber.channels == ["news", "sport"])
            #expect(subscriber.patterns == ["room.*"])

            #expect(try await publisher.send("PUBLISH", "news", "first") == .integer(1))
            #expect(try await publisher.send("PUBLISH", "room.42", "hello") == .integer(1))
            #expect(try await publisher.send("PUBLISH", "other", "nobody") == .integer(0))
            #expect(try await publisher.send("PUBLISH", "sport", "goal") == .integer(1))
            let expected = [
                Self.message("news", "first"), Self.message("room.42", "hello", pattern: "room.*"), Self.message("sport", "goal"),
            ]
            #expect(try await events.wait { $0.count >= 3 } == expected)

            try await subscriber.unsubscribe(["news"])
            try await subscriber.punsubscribe(["room.*"])
            #expect(subscriber.channels == ["sport"])
            #expect(try await publisher.send("PUBLISH", "news", "unheard") == .integer(0))
            #expect(try await publisher.send("PUBLISH", "room.1", "unheard") == .integer(0))
            #expect(try await publisher.send("PUBLISH", "sport", "second") == .integer(1))
            #expect(try await events.wait { $0.count >= 4 } == expected + [Self.message("sport", "second")])

            await subscriber.close()
            await publisher.close()
        }
    }

    @Test("binary payloads arrive byte for byte")
    func binaryPayload() async throws {
        try await RedisServerProcess.with { server in
            let events = EventLog<Event>()
            let subscriber = try await RedisSubscriber.connect(configuration: server.configuration(.resp3)) { events.append($0) }
            try await subscriber.subscribe(["bytes"])
            let publisher = try await RedisConnection.connect(configuration: server.configuration())
            let payload: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x2A]
            try await publisher.send(RedisCommand("PUBLISH", [Array("bytes".utf8), payload]))
            #expect(try await events.wait { !$0.isEmpty } == [.message(RedisPubSubMessage(channel: "bytes", payload: payload))])
            await subscriber.close()
            await publisher.close()
        }
    }

    @Test(
        "after redis-server restarts, the subscriber reconnects, subscribes again, reports it, and receives again",
        arguments: [RedisConfiguration.ProtocolVersion.resp2, .resp3]
    )
    func reconnect(version: RedisConfiguration.ProtocolVersion) async throws {
        try await RedisServerProcess.with { server in
            let events = EventLog<Event>()
            var configuration = server.configuration(version)
            configuration.reconnectBackoff.initialDelay = .milliseconds(20)
            configuration.reconnectBackoff.maxDelay = .milliseconds(200)
            let subscriber = try await RedisSubscriber.connect(configuration: configuration) { events.append($0) }
            try await subscriber.subscribe(["news"])
            try await subscriber.psubscribe(["room.*"])

            try await server.restart()
            let afterRestart = try await events.wait { $0.contains(.reconnected) }
            #expect(afterRestart.count == 2)
            guard case .disconnected(.connectionClosed) = afterRestart.first else {
                Issue.record("no disconnected event first: \(afterRestart)")
                return
            }
            #expect(afterRestart.last == .reconnected)

            let publisher = try await RedisConnection.connect(configuration: server.configuration())
            #expect(try await publisher.send("PUBSUB", "NUMSUB", "news") == .array([.bulkString(Array("news".utf8)), .integer(1)]))
            #expect(try await publisher.send("PUBLISH", "news", "again") == .integer(1))
            #expect(try await publisher.send("PUBLISH", "room.7", "again") == .integer(1))
            let all = try await events.wait { $0.count >= 4 }
            #expect(Array(all.dropFirst(2)) == [Self.message("news", "again"), Self.message("room.7", "again", pattern: "room.*")])

            await subscriber.close()
            await publisher.close()
        }
    }

    @Test("a server that stops answering is found by the periodic PING; the subscriber reconnects once it answers again")
    func silentServer() async throws {
        try await RedisServerProcess.with { server in
            let events = EventLog<Event>()
            var configuration = server.configuration()
            // A timeout that a loaded machine still meets, well below the pause.
            configuration.subscriberPingInterval = .milliseconds(300)
            configuration.commandTimeout = .seconds(1)
            configuration.reconnectBackoff.initialDelay = .milliseconds(50)
            configuration.reconnectBackoff.maxDelay = .milliseconds(200)
            let subscriber = try await RedisSubscriber.connect(configuration: configuration) { events.append($0) }
            try await subscriber.subscribe(["news"])
            let admin = try await RedisConnection.connect(configuration: server.configuration())
            try await admin.send("CLIENT", "PAUSE", "4000", "ALL")
            let paused = try await events.wait { !$0.isEmpty }
            guard case .disconnected(.connectionClosed) = paused.first else {
                Issue.record("no disconnected event: \(paused)")
                return
            }
            let resumed = try await events.wait { $0.contains(.reconnected) }
            #expect(resumed.last == .reconnected)
            #expect(try await admin.send("PUBLISH", "news", "back") == .integer(1))
            #expect(try await events.wait { $0.last == Self.message("news", "back") }.last == Self.message("news", "back"))
            await subscriber.close()
            await admin.close()
        }
    }

    @Test("channels subscribed while the server is down are subscribed once it is back")
    func subscribeWhileDown() async throws {
        try await RedisServerProcess.with { server in
            let events = EventLog<Event>()
            var configuration = server.configuration()
            configuration.reconnectBackoff.initialDelay = .milliseconds(50)
            configuration.reconnectBackoff.maxDelay = .milliseconds(100)
            let subscriber = try await RedisSubscriber.connect(configuration: configuration) { events.append($0) }
            server.stop()
            try await events.wait { !$0.isEmpty }
            try await subscriber.subscribe(["later"])
            try await server.restart()
            try await events.wait { $0.contains(.reconnected) }
            let publisher = try await RedisConnection.connect(configuration: server.configuration())
            #expect(try await publisher.send("PUBLISH", "later", "now") == .integer(1))
            #expect(try await events.wait { $0.count >= 3 }.last == Self.message("later", "now"))
            await subscriber.close()
            await publisher.close()
        }
    }

    @Test(
        "channels the server refuses throw its error and are forgotten; the subscriber stays usable",
        arguments: [RedisConfiguration.ProtocolVersion.resp2, .resp3]
    )
    func refusedChannels(version: RedisConfiguration.ProtocolVersion) async throws {
        try await RedisServerProcess.with { server in
            let admin = try await RedisConnection.connect(configuration: server.configuration())
            try await admin.send("ACL", "SETUSER", "limited", "on", ">pw", "resetchannels", "&allowed", "+@all", "~*")
            var configuration = server.configuration(version)
            configuration.username = "limited"
            configuration.password = "pw"
            let events = EventLog<Event>()
            let subscriber = try await RedisSubscriber.connect(configuration: configuration) { events.append($0) }
            await #expect {
                try await subscriber.subscribe(["allowed", "forbidden"])
            } throws: { error in
                guard case RedisError.server(let message) = error else { return false }
                return message.hasPrefix("NOPERM")
            }
            #expect(subscriber.channels.isEmpty)
            try await subscriber.subscribe(["allowed"])
            #expect(try await admin.send("PUBLISH", "allowed", "yes") == .integer(1))
            #expect(try await events.wait { !$0.isEmpty } == [Self.message("allowed", "yes")])
            await subscriber.close()
            await admin.close()
        }
    }

    @Test("a closed subscriber reports nothing more and does not reconnect")
    func closing() async throws {
        try await RedisServerProcess.with { server in
            let events = EventLog<Event>()
            let subscriber = try await RedisSubscriber.connect(configuration: server.configuration()) { events.append($0) }
            try await subscriber.subscribe(["x"])
            await subscriber.close()
            let publisher = try await RedisConnection.connect(configuration: server.configuration())
            #expect(try await publisher.send("PUBLISH", "x", "gone") == .integer(0))
            try await Task.sleep(for: .milliseconds(200))
            #expect(events.all.isEmpty)
            await publisher.close()
        }
    }
}
