import NIOCore
import NIOPosix
import RedisTestSupport
import SwitchboardRedis
import Testing

@Suite(
    "Redis connection against a real redis-server",
    .enabled(if: RedisServerProcess.isAvailableOrRequired, "redis-server is not installed (apt-get install -y redis-server)")
)
struct RedisConnectionTests {
    @Test("SET, GET and INCR answer with their replies")
    func basicCommands() async throws {
        try await RedisServerProcess.with { server in
            let connection = try await RedisConnection.connect(configuration: server.configuration())
            #expect(try await connection.send("SET", "greeting", "hello") == .simpleString("OK"))
            #expect(try await connection.send("GET", "greeting") == .bulkString(Array("hello".utf8)))
            #expect(try await connection.send("GET", "missing") == .bulkString(nil))
            #expect(try await connection.send("INCR", "counter") == .integer(1))
            #expect(try await connection.send("INCR", "counter") == .integer(2))
            #expect(try await connection.send("GET", "counter").integer == 2)
            await connection.close()
        }
    }

    @Test("1,000 pipelined commands get their replies in order, in one call")
    func pipelining() async throws {
        try await RedisServerProcess.with { server in
            let connection = try await RedisConnection.connect(configuration: server.configuration())
            var commands: [RedisCommand] = []
            for index in 0..<500 {
                commands.append(RedisCommand("SET", "key\(index)", "value\(index)"))
                commands.append(RedisCommand("INCR", "pipelined"))
            }
            let replies = try await connection.send(commands)
            #expect(replies.count == 1_000)
            for index in 0..<500 {
                #expect(replies[2 * index] == .simpleString("OK"))
                #expect(replies[2 * index + 1] == .integer(Int64(index + 1)))
            }
            let reads = try await connection.send((0..<500).map { RedisCommand("GET", "key\($0)") })
            #expect(reads.map(\.string) == (0..<500).map { "value\($0)" })
            await connection.close()
        }
    }

    @Test("concurrent callers on one connection each get their own replies")
    func concurrentCallers() async throws {
        try await RedisServerProcess.with { server in
            let connection = try await RedisConnection.connect(configuration: server.configuration())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let replies = try await connection.send([
                            RedisCommand("SET", "c\(index)", "\(index)"), RedisCommand("GET", "c\(index)"),
                        ])
                        #expect(replies[1].integer == Int64(index))
                    }
                }
                try await group.waitForAll()
            }
            await connection.close()
        }
    }

    @Test("an error reply throws RedisError.server with its message; in a pipeline it is returned in place")
    func errorReplies() async throws {
        try await RedisServerProcess.with { server in
            let connection = try await RedisConnection.connect(configuration: server.configuration())
            try await connection.send("SET", "text", "abc")
            await #expect(throws: RedisError.server(message: "WRONGTYPE Operation against a key holding the wrong kind of value")) {
                try await connection.send("LPUSH", "text", "x")
            }
            await #expect(throws: RedisError.server(message: "ERR value is not an integer or out of range")) {
                try await connection.send("INCR", "text")
            }
            let replies = try await connection.send([RedisCommand("INCR", "text"), RedisCommand("PING")])
            #expect(replies[0].errorMessage?.hasPrefix("ERR value is not an integer") == true)
            #expect(replies[1] == .simpleString("PONG"))
            // The connection stays usable after error replies.
            #expect(try await connection.send("GET", "text").string == "abc")
            await connection.close()
        }
    }

    @Test("RESP3: HELLO 3 is accepted and HGETALL answers with a map")
    func resp3() async throws {
        try await RedisServerProcess.with { server in
            let connection = try await RedisConnection.connect(configuration: server.configuration(.resp3))
            #expect(connection.protocolVersion == .resp3)
            try await connection.send("HSET", "hash", "a", "1")
            #expect(try await connection.send("HGETALL", "hash") == .map([
                .init(key: .bulkString(Array("a".utf8)), value: .bulkString(Array("1".utf8))),
            ]))
            #expect(try await connection.send("GET", "missing") == .null)
            let hello = try await connection.send("HELLO", "3")
            guard case .map(let entries) = hello else {
                Issue.record("HELLO did not answer with a map: \(hello)")
                return
            }
            #expect(entries.contains { $0.key.string == "proto" && $0.value == .integer(3) })
            await connection.close()

            let resp2 = try await RedisConnection.connect(configuration: server.configuration(.resp2))
            #expect(resp2.protocolVersion == .resp2)
            #expect(try await resp2.send("HGETALL", "hash") == .array([.bulkString(Array("a".utf8)), .bulkString(Array("1".utf8))]))
            await resp2.close()
        }
    }

    @Test("AUTH: the right password connects, a wrong one fails with authenticationFailed")
    func authentication() async throws {
        try await RedisServerProcess.with(arguments: ["--requirepass", "s3cret"], password: "s3cret") { server in
            var configuration = server.configuration()
            let connection = try await RedisConnection.connect(configuration: configuration)
            #expect(try await connection.send("PING") == .simpleString("PONG"))
            await connection.close()

            configuration.username = "default"
            let withUser = try await RedisConnection.connect(configuration: configuration)
            #expect(try await withUser.send("PING") == .simpleString("PONG"))
            await withUser.close()

            configuration.password = "wrong"
            await #expect {
                try await RedisConnection.connect(configuration: configuration)
            } throws: { error in
                guard case RedisError.authenticationFailed(let message) = error else { return false }
                return message.hasPrefix("WRONGPASS")
            }

            var noPassword = server.configuration(.resp3)
            noPassword.password = nil
            await #expect {
                try await RedisConnection.connect(configuration: noPassword)
            } throws: { error in
                guard case RedisError.authenticationFailed(let message) = error else { return false }
                return message.hasPrefix("NOAUTH")
            }
        }
    }

    @Test("SELECT: a connection configured for database 3 works in database 3")
    func database() async throws {
        try await RedisServerProcess.with { server in
            var configuration = server.configuration()
            configuration.database = 3
            let three = try await RedisConnection.connect(configuration: configuration)
            try await three.send("SET", "where", "three")
            let zero = try await RedisConnection.connect(configuration: server.configuration())
            #expect(try await zero.send("GET", "where") == .bulkString(nil))
            #expect(try await three.send("GET", "where").string == "three")
            await three.close()
            await zero.close()

            configuration.database = 99_999
            await #expect {
                try await RedisConnection.connect(configuration: configuration)
            } throws: { error in
                guard case RedisError.server(let message) = error else { return false }
                return message.contains("DB index is out of range")
            }
        }
    }

    @Test("subscribing commands and MONITOR are refused before anything is sent")
    func refusedCommands() async throws {
        try await RedisServerProcess.with { server in
            let connection = try await RedisConnection.connect(configuration: server.configuration())
            await #expect(throws: RedisError.commandNotAllowed(command: "SUBSCRIBE", reason: "subscribing needs a RedisSubscriber")) {
                try await connection.send("subscribe", "x")
            }
            await #expect(throws: RedisError.commandNotAllowed(command: "MONITOR", reason: "MONITOR turns the connection into a stream")) {
                try await connection.send("MONITOR")
            }
            #expect(try await connection.send("PING") == .simpleString("PONG"))
            await connection.close()
        }
    }

    @Test("a stopped server fails waiting and later commands with connectionClosed")
    func serverGone() async throws {
        try await RedisServerProcess.with { server in
            let connection = try await RedisConnection.connect(configuration: server.configuration())
            server.stop()
            await #expect {
                try await connection.send("PING")
            } throws: { error in
                guard case RedisError.connectionClosed = error else { return false }
                return true
            }
            #expect(!connection.isOpen)
        }
    }

    @Test("while the server is paused by CLIENT PAUSE, a command times out after commandTimeout")
    func pausedServer() async throws {
        try await RedisServerProcess.with { server in
            var configuration = server.configuration()
            configuration.commandTimeout = .milliseconds(200)
            let admin = try await RedisConnection.connect(configuration: server.configuration())
            let connection = try await RedisConnection.connect(configuration: configuration)
            try await admin.send("CLIENT", "PAUSE", "2000", "ALL")
            await #expect(throws: RedisError.timeout(command: "GET", after: .milliseconds(200))) {
                try await connection.send("GET", "k")
            }
            #expect(!connection.isOpen)
            try await admin.send("CLIENT", "UNPAUSE")
            await admin.close()
        }
    }

    @Test("connecting to a port nobody listens on fails with connectionFailed")
    func connectionRefused() async throws {
        let server = try await RedisServerProcess.start()
        let configuration = server.configuration()
        server.stop()
        await #expect {
            try await RedisConnection.connect(configuration: configuration)
        } throws: { error in
            guard case RedisError.connectionFailed(let host, let port, _) = error else { return false }
            return host == "127.0.0.1" && port == configuration.port
        }
    }
}

@Suite("Redis connection timeouts")
struct RedisTimeoutTests {
    /// A TCP server that accepts and reads but never answers.
    final class SilentHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }

    @Test("a command without a reply within commandTimeout fails with timeout, and the connection closes")
    func commandTimeout() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SilentHandler()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        var configuration = RedisConfiguration(host: "127.0.0.1", port: listener.localAddress?.port ?? 0)
        configuration.commandTimeout = .milliseconds(200)
        let connection = try await RedisConnection.connect(configuration: configuration)
        let started = ContinuousClock.now
        let second = Task { () -> Result<RESPValue, RedisError> in
            try? await Task.sleep(for: .milliseconds(50))
            do throws(RedisError) {
                return .success(try await connection.send("GET", "b"))
            } catch {
                return .failure(error)
            }
        }
        await #expect(throws: RedisError.timeout(command: "PING", after: .milliseconds(200))) {
            try await connection.send("PING")
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(190) && elapsed < .seconds(5))
        // The command queued behind it fails too: its reply could no longer be told apart.
        let queued = await second.value
        guard case .failure(.connectionClosed) = queued else {
            Issue.record("the queued command did not fail with connectionClosed: \(queued)")
            return
        }
        await #expect {
            try await connection.send("PING")
        } throws: { error in
            guard case RedisError.connectionClosed = error else { return false }
            return true
        }
        try await listener.close()
    }
}
