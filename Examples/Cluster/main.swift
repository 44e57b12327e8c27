import Foundation
import Logging
import Switchboard
import SwitchboardCluster
import Synchronization

// One node of a Switchboard cluster joined through Redis: the node the cluster tests run
// (two or three at once) and Examples/Cluster/run.sh starts twice.
//
//   switchboard-cluster-node --redis redis://127.0.0.1:6379 [--port 0] [--node-id a]
//                            [--lease-ms 10000] [--max-pushes 100]
//
// Routes (requests over the WebSocket at /ws): `POST /push/room/:room`,
// `POST /push/room/:room/except/:id` (all members but one connection), `POST /push/user/:user`,
// `POST /push/connection/:id`, `POST /push/everyone` push the request body (the push url is
// `/pushes/<room or target>`); `POST /disconnect/:user` closes a user's connections on every
// node; `POST /once[?delayMs=N]` (behind the `Idempotency` middleware, keys in Redis) answers
// `<node> run <n>`, n counting the node's runs. Clients may join any room. A bearer token
// `user:<id>` signs in as user `<id>`; no token is anonymous. The presence feature is offered
// (`/ws?features=presence@board:1:presence`). Plain HTTP: `GET /health` answers the node's
// ``ClusterHealth`` (503 while degraded). It prints `listening <port>` once it listens.

struct Options {
    var redis = "redis://127.0.0.1:6379"
    var port = 0
    var nodeId: String?
    var leaseMilliseconds: Int?
    var maxPushes = 100

    init(_ arguments: [String]) {
        var index = 0
        func value() -> String {
            index += 1
            return index < arguments.count ? arguments[index] : ""
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--redis": redis = value()
            case "--port": port = Int(value()) ?? 0
            case "--node-id": nodeId = value()
            case "--lease-ms": leaseMilliseconds = Int(value())
            case "--max-pushes": maxPushes = Int(value()) ?? 100
            default: break
            }
            index += 1
        }
    }
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    return handler
}
let options = Options(Array(CommandLine.arguments.dropFirst()))
var cluster = try ClusterConfiguration(redisURL: options.redis)
if let nodeId = options.nodeId { cluster.nodeId = nodeId }
if let lease = options.leaseMilliseconds { cluster.lease = .milliseconds(lease) }
let bus = try await RedisClusterBus.connect(cluster)

var configuration = Configuration(host: "127.0.0.1", port: options.port)
configuration.webSocketPath = "/ws"
configuration.delivery.defaultLimits.maxPushes = options.maxPushes
configuration.httpRoutes.get("/health") {
    let health = bus.health
    let body = (try? JSONEncoder().encode(health)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    return .json(body, status: health.status == "ok" ? 200 : 503)
}

var router = Router()
router.post("/push/room/:room") { req, res in
    let room = try req.params.require("room")
    res.push(PushMessage(url: "/pushes/\(room)", body: Array(req.body)), to: .room(RoomName(room)))
    return "ok"
}
router.post("/push/room/:room/except/:id") { req, res in
    let room = try req.params.require("room")
    let id = try req.params.require("id")
    res.push(PushMessage(url: "/pushes/\(room)", body: Array(req.body)), to: .room(RoomName(room), excluding: ConnectionID(id)))
    return "ok"
}
router.post("/push/user/:user") { req, res in
    let user = try req.params.require("user")
    res.push(PushMessage(url: "/pushes/user-\(user)", body: Array(req.body)), to: .user(user))
    return "ok"
}
router.post("/push/connection/:id") { req, res in
    let id = try req.params.require("id")
    res.push(PushMessage(url: "/pushes/\(id)", body: Array(req.body)), to: .connection(ConnectionID(id)))
    return "ok"
}
router.post("/push/everyone") { req, res in
    res.push(PushMessage(url: "/pushes/everyone", body: Array(req.body)), to: .everyone())
    return "ok"
}
let idempotency = Idempotency(store: RedisIdempotencyStore(bus: bus))
let runs = Mutex(0)
router.post("/once", idempotency.middleware) { req, _ in
    let delay = Int((try req.query["delayMs"]) ?? "0") ?? 0
    if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
    let run = runs.withLock { runs in
        runs += 1
        return runs
    }
    return "\(bus.nodeId) run \(run)"
}
router.post("/disconnect/:user") { req, _ in
    bus.disconnect(user: try req.params.require("user"), reason: "signed out everywhere").count
}
let authentication = TokenAuthentication(isRequired: false) { token in
    token.hasPrefix("user:") ? Identity(userId: String(token.dropFirst("user:".count))) : nil
}
let server = Server(
    router: router, configuration: configuration, authentication: authentication, rooms: RoomRegistry(policy: .everyRoom),
    features: FeatureSet([Presence()]), cluster: bus,
    logger: Logger(label: "switchboard.cluster-node")
)
let running = Task { try await server.run() }
let port = try await server.waitUntilListening()
FileHandle.standardOutput.write(Data("listening \(port)\n".utf8))
try await running.value
