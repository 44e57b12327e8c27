import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import SwitchboardRedis

@Suite("Redis channel handler")
struct RedisChannelHandlerTests {
    final class Pushes: Sendable {
        let values = Mutex<[RESPValue]>([])
    }

    static func channel(
        limits: RedisConfiguration.ReplyLimits = .init(),
        isSubscriber: Bool = false,
        pushes: Pushes = Pushes()
    ) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(limits: limits, isSubscriber: isSubscriber) { value in
            pushes.values.withLock { $0.append(value) }
        })
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
        return channel
    }

    static func send(
        _ commands: [RedisCommand],
        on channel: EmbeddedChannel,
        isSubscription: Bool = false,
        timeout: TimeAmount? = nil
    ) throws -> EventLoopFuture<[RESPValue]> {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let request = RedisRequest(commands: commands, isSubscription: isSubscription, timeout: timeout, promise: promise)
        do {
            try channel.writeOutbound(request)
        } catch {
            // A closed channel refuses the write before the handler sees the request.
            promise.fail(error)
        }
        return promise.futureResult
    }

    static func receive(_ text: String, on channel: EmbeddedChannel) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    @Test("commands are written as RESP arrays and replies split at every byte complete them in order")
    func byteByByte() throws {
        let channel = try Self.channel()
        let first = try Self.send([RedisCommand("GET", "a"), RedisCommand("PING")], on: channel)
        let second = try Self.send([RedisCommand("INCR", "b")], on: channel)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n"))
        for byte in "$5\r\nhello\r\n+PONG\r\n:7\r\n".utf8 {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        #expect(try first.wait() == [.bulkString(Array("hello".utf8)), .simpleString("PONG")])
        #expect(try second.wait() == [.integer(7)])
        #expect(channel.isActive)
    }

    @Test("RESP3 push frames between replies go to the push handler, not to the waiting command")
    func pushes() throws {
        let pushes = Pushes()
        let channel = try Self.channel(pushes: pushes)
        let reply = try Self.send([RedisCommand("GET", "a")], on: channel)
        try Self.receive(">2\r\n+invalidate\r\n*1\r\n+a\r\n$1\r\nx\r\n", on: channel)
        #expect(try reply.wait() == [.bulkString(Array("x".utf8))])
        #expect(pushes.values.withLock { $0 } == [.push([.simpleString("invalidate"), .array([.simpleString("a")])])])
    }

    @Test("an array reply shaped like a published message is a reply on a command connection, a message on a subscriber's")
    func messageShapedArrays() throws {
        let frame = "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n"
        let value = RESPValue.array(["message", "a", "b"].map { .bulkString(Array($0.utf8)) })
        let commandPushes = Pushes()
        let commands = try Self.channel(pushes: commandPushes)
        let reply = try Self.send([RedisCommand("LRANGE", "list", "0", "-1")], on: commands)
        try Self.receive(frame, on: commands)
        #expect(try reply.wait() == [value])
        #expect(commandPushes.values.withLock { $0.isEmpty })

        let subscriberPushes = Pushes()
        let subscriber = try Self.channel(isSubscriber: true, pushes: subscriberPushes)
        try Self.receive(frame, on: subscriber)
        #expect(subscriberPushes.values.withLock { $0 } == [value])
        #expect(subscriber.isActive)
    }

    @Test("a subscribing command gets one confirmation per channel, or one error reply for all of them")
    func subscriptionReplies() throws {
        let channel = try Self.channel(isSubscriber: true)
        let commands = [RedisCommand("SUBSCRIBE", "a", "b"), RedisCommand("PSUBSCRIBE", "p.*")]
        let denied = try Self.send(commands, on: channel, isSubscription: true)
        try Self.receive("-NOPERM no permissions\r\n*3\r\n$10\r\npsubscribe\r\n$3\r\np.*\r\n:1\r\n", on: channel)
        let psubscribed = RESPValue.array([.bulkString(Array("psubscribe".utf8)), .bulkString(Array("p.*".utf8)), .integer(1)])
        #expect(try denied.wait() == [.error("NOPERM no permissions"), psubscribed])

        let allowed = try Self.send([RedisCommand("SUBSCRIBE", "a", "b")], on: channel, isSubscription: true)
        try Self.receive(">3\r\n+subscribe\r\n+a\r\n:2\r\n", on: channel)
        let completed = Pushes()
        allowed.whenComplete { _ in completed.values.withLock { $0.append(.null) } }
        #expect(completed.values.withLock { $0.isEmpty }, "completed after one of two confirmations")
        try Self.receive(">3\r\n+subscribe\r\n+b\r\n:3\r\n", on: channel)
        #expect(try allowed.wait().count == 2)
        #expect(channel.isActive)
    }

    @Test("a malformed reply fails every waiting command with protocolError and closes the connection")
    func malformedReply() throws {
        let channel = try Self.channel()
        let first = try Self.send([RedisCommand("PING")], on: channel)
        let second = try Self.send([RedisCommand("PING")], on: channel)
        try? Self.receive("?bad\r\n", on: channel)
        let expected = RedisError.protocolError(.unknownType(byte: UInt8(ascii: "?"), offset: 0))
        #expect(throws: expected) { try first.wait() }
        #expect(throws: expected) { try second.wait() }
        #expect(!channel.isActive)
    }

    @Test("a reply above a limit is a protocol error")
    func limitExceeded() throws {
        var limits = RedisConfiguration.ReplyLimits()
        limits.maxBulkLength = 4
        let channel = try Self.channel(limits: limits)
        let reply = try Self.send([RedisCommand("GET", "a")], on: channel)
        try? Self.receive("$5\r\n", on: channel)
        #expect(throws: RedisError.protocolError(.bulkTooLong(length: 5, limit: 4, offset: 0))) { try reply.wait() }
        #expect(!channel.isActive)
    }

    @Test("a reply nobody waits for closes the connection")
    func unexpectedReply() throws {
        let channel = try Self.channel()
        try? Self.receive("+OK\r\n", on: channel)
        #expect(!channel.isActive)
    }

    @Test("a command without a reply in time fails with timeout; the ones behind it with connectionClosed")
    func timeout() throws {
        let channel = try Self.channel()
        let first = try Self.send([RedisCommand("BLPOP", "q", "0")], on: channel, timeout: .milliseconds(100))
        let second = try Self.send([RedisCommand("PING")], on: channel)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(100))
        #expect(throws: RedisError.timeout(command: "BLPOP", after: .milliseconds(100))) { try first.wait() }
        #expect(throws: RedisError.connectionClosed(reason: "closed because BLPOP got no reply within 100 ms")) { try second.wait() }
        #expect(!channel.isActive)
    }

    @Test("closing fails the waiting commands with connectionClosed saying the owner closed it")
    func ownerClose() throws {
        let channel = try Self.channel()
        let reply = try Self.send([RedisCommand("PING")], on: channel)
        try channel.close().wait()
        #expect(throws: RedisError.connectionClosed(reason: "the connection was closed by its owner")) { try reply.wait() }
    }

    @Test("the reconnect backoff grows by its multiplier up to its maximum")
    func backoff() {
        let backoff = RedisConfiguration.ReconnectBackoff()
        #expect(backoff.delay(beforeAttempt: 0) == .milliseconds(100))
        #expect(backoff.delay(beforeAttempt: 1) == .milliseconds(200))
        #expect(backoff.delay(beforeAttempt: 5) == .milliseconds(3_200))
        #expect(backoff.delay(beforeAttempt: 6) == .seconds(5))
        #expect(backoff.delay(beforeAttempt: 10_000) == .seconds(5))
    }
}
