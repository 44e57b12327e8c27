import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP connection to 127.0.0.1 that sends exact bytes and records what comes back and when
/// the server closes, for tests of HTTP requests no well-behaved client would send.
final class RawTCPConnection: Sendable {
    /// An HTTP answer as received: status, headers (lowercased names, every value) and body.
    struct Answer: Sendable {
        var status: Int
        var headers: [String: [String]]
        var body: String
        /// The first value of the header `name` (lowercase).
        func header(_ name: String) -> String? { headers[name]?.first }
    }

    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to the server on `port`.
    static func connect(port: Int) async throws -> RawTCPConnection {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return RawTCPConnection(channel: channel, collector: collector)
    }

    /// Sends `text` as it is.
    func send(_ text: String) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(string: text)).get()
    }

    /// Sends `bytes` as they are, in one write.
    func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    /// Every byte received so far.
    var received: [UInt8] { collector.received.withLock { $0 } }

    /// Whether the connection has closed.
    var isClosed: Bool { collector.isClosed }

    /// Waits (bounded) until the connection closes; `false` when it is still open at the end.
    func waitUntilClosed(timeout: Duration = .seconds(5)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if isClosed { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return isClosed
    }

    /// Sends `request`, waits for the server to close (every plain answer closes), and parses
    /// what came back; `nil` when the connection stayed open or nothing parseable arrived.
    func exchange(_ request: String, timeout: Duration = .seconds(5)) async throws -> Answer? {
        try await send(request)
        guard await waitUntilClosed(timeout: timeout) else { return nil }
        return answer
    }

    /// The HTTP answer received so far, if its head is complete.
    var answer: Answer? {
        let bytes = collector.received.withLock { $0 }
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let status = lines.first.flatMap({ $0.split(separator: " ").dropFirst().first }).flatMap({ Int($0) }) else { return nil }
        var headers: [String: [String]] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            headers[name, default: []].append(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Answer(status: status, headers: headers, body: String(decoding: bytes[end.upperBound...], as: UTF8.self))
    }

    /// The bytes the first read from the socket returned, once something arrived.
    var firstRead: [UInt8]? { collector.firstRead.withLock { $0 } }

    /// Closes the connection from this side.
    func close() {
        channel.close(promise: nil)
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex<[UInt8]>([])
        /// The bytes of the first read alone.
        let firstRead = Mutex<[UInt8]?>(nil)
        private let closed = Atomic<Bool>(false)

        var isClosed: Bool { closed.load(ordering: .acquiring) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            received.withLock { $0.append(contentsOf: buffer.readableBytesView) }
            firstRead.withLock { first in
                if first == nil { first = Array(buffer.readableBytesView) }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.store(true, ordering: .releasing)
            context.fireChannelInactive()
        }
    }
}
