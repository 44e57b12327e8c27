import Foundation
import RedisTestSupport
import SwitchboardClient
import SwitchboardRedis
import Synchronization

/// A Redis server and the nodes a test starts against it; everything is stopped at the end.
final class ClusterFixture: Sendable {
    let redis: RedisServerProcess
    private let nodes = Mutex<[NodeProcess]>([])
    private let clients = Mutex<[SwitchboardClient]>([])

    private init(redis: RedisServerProcess) {
        self.redis = redis
    }

    /// Runs `body` with a fresh Redis, then stops every node, client and Redis.
    static func with(redisArguments: [String] = [], _ body: (ClusterFixture) async throws -> Void) async throws {
        let fixture = ClusterFixture(redis: try await RedisServerProcess.start(arguments: redisArguments))
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    func stop() async {
        for client in clients.withLock({ $0 }) { await client.close() }
        for node in nodes.withLock({ $0 }) { node.kill() }
        redis.stop()
    }

    /// The lease of a test's node unless it says otherwise: long enough that a heartbeat late
    /// under load does not let the node's registrations lapse.
    static let defaultLease = 5000
    /// A lease for tests that kill a node and wait for its lease to pass.
    static let shortLease = 1500

    /// Starts a node.
    func node(_ id: String, leaseMilliseconds: Int = ClusterFixture.defaultLease) async throws -> NodeProcess {
        try await node(id, leaseMilliseconds: leaseMilliseconds, extra: [])
    }

    /// Starts a node with extra command-line options.
    func node(_ id: String, leaseMilliseconds: Int, extra: [String]) async throws -> NodeProcess {
        let node = try await NodeProcess.start(redisPort: redis.port, nodeId: id, leaseMilliseconds: leaseMilliseconds, extra: extra)
        nodes.withLock { $0.append(node) }
        return node
    }

    /// A connected client of `url` whose pushes and raw push frames are recorded.
    func client(_ url: String, user: String? = nil, reconnectDelay: Duration = .milliseconds(50)) async throws -> RecordingClient {
        let frames = EventLog<PushRecord>()
        let hellos = EventLog<HelloNotice>()
        var configuration = ClientConfiguration()
        configuration.reconnect.minimumDelay = reconnectDelay
        configuration.reconnect.maximumDelay = reconnectDelay * 4
        if let user { configuration.tokenProvider = { "user:\(user)" } }
        configuration.frameObserver = { direction, frame in
            guard direction == .received else { return }
            if case .control(let control) = frame, control.kind == .hello,
                let hello = try? JSONDecoder().decode(HelloNotice.self, from: Data(control.data))
            {
                hellos.append(hello)
            }
            // Pushes written in one tick come as one BATCH.
            let inner: [Frame] = if case .batch(let frames) = frame { frames } else { [frame] }
            for case .push(let push) in inner {
                frames.append(PushRecord(room: push.room, epoch: push.epoch, offset: push.offset, text: String(decoding: push.data, as: UTF8.self)))
            }
        }
        let client = try SwitchboardClient(url: url, configuration: configuration)
        clients.withLock { $0.append(client) }
        let pushes = EventLog<PushRecord>()
        _ = client.on("/pushes/**") { push in
            pushes.append(PushRecord(room: push.room, epoch: push.epoch, offset: push.offset, text: push.text))
        }
        try await client.connect()
        return RecordingClient(client: client, pushes: pushes, frames: frames, hellos: hellos)
    }

    /// A command connection to the test's Redis.
    func redisConnection() async throws -> RedisConnection {
        try await RedisConnection.connect(configuration: redis.configuration())
    }
}

/// One push as a client saw it.
struct PushRecord: Sendable, Hashable {
    var room: String
    var epoch: UInt32
    var offset: UInt64
    var text: String
}

/// A client with what it received: `pushes` as delivered to listeners (after the client's
/// duplicate check), `frames` every push frame as it came off the socket.
struct RecordingClient: Sendable {
    let client: SwitchboardClient
    let pushes: EventLog<PushRecord>
    let frames: EventLog<PushRecord>
    /// The HELLO of each connection, in order.
    let hellos: EventLog<HelloNotice>

    /// Posts `text` as a push to `room` through the client's node.
    func push(_ text: String, toRoom room: String) async throws {
        let response = try await client.post("/push/room/\(room)", Array(text.utf8))
        guard response.status == .ok else { throw NodeProcess.Failure(description: "push answered \(response.status)") }
    }
}
