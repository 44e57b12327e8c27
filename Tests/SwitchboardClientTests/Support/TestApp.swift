import Foundation
import Switchboard
import Synchronization

/// A board, as the typed routes send it.
struct Board: Codable, Sendable, Hashable {
    var id: Int
    var name: String
}

/// A new board's input.
struct NewBoard: Codable, Sendable, Hashable {
    var name: String
}

/// The typed routes the tests call.
enum TestAPI {
    static let getBoard = Route<Empty, Board>.get("/boards/:id")
    static let createBoard = Route<NewBoard, Board>.post("/boards", successStatus: .created)
}

/// The routes of the test server, and what it saw.
///
/// - `GET|POST /echo`: the body back.
/// - `GET /slow?ms=N`: the body after N ms.
/// - `GET|POST /gate`: answered `opened` once ``openGate()`` was called.
/// - `GET /status/:code`: that status with `{"error":"status <code>"}`.
/// - `GET /whoami`: the user id; 401 when anonymous or expired.
/// - `GET|POST /busy/:name`: 503 for the first two calls per name, then 200.
/// - `POST /record`: records the body, 204.
/// - typed `GET /boards/:id` (404 unless 7) and `POST /boards`.
/// - `GET /rooms/:room/read`: subscribes the connection to the room (`req.subscribe`), answers `state`.
/// - `POST /counter`, `POST /counter/other` and `POST /counter/gated` (waits for the gate)
///   behind ``idempotency``;
///   `POST /counter/small` behind ``smallIdempotency`` (2 keys per user, a manual clock):
///   each run increments ``counter`` and answers `run <n>`.
final class TestApp: Sendable {
    let idempotency = Idempotency()
    /// The clock of ``smallIdempotency``.
    let clock: ManualClock
    let smallIdempotency: Idempotency
    private let runs = Mutex(0)
    private let log = Mutex<[String]>([])
    private let busyCounts = Mutex<[String: Int]>([:])
    private let gate = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init() {
        let clock = ManualClock()
        self.clock = clock
        smallIdempotency = Idempotency(lifetime: .seconds(60), maxKeysPerUser: 2, now: { clock.now })
    }

    /// How many times a counter route ran.
    var counter: Int { runs.withLock { $0 } }

    private func count() -> String {
        "run \(runs.withLock { $0 += 1; return $0 })"
    }

    /// Everything recorded, in order: `POST /record` bodies and messages.
    var recorded: [String] { log.withLock { $0 } }

    func record(_ entry: String) {
        log.withLock { $0.append(entry) }
    }

    func openGate() {
        let waiters = gate.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var gateWaiters: Int { gate.withLock { $0.waiters.count } }

    private func waitForGate() async {
        await withCheckedContinuation { continuation in
            let now = gate.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func router() -> Router {
        var router = Router()
        router.get("/echo") { req, res in res.send(req.body) }
        router.post("/echo") { req, res in res.send(req.body) }
        router.get("/slow") { req, res async in
            let milliseconds = Int((try? req.query["ms"]) ?? "") ?? 10
            try? await Task.sleep(for: .milliseconds(milliseconds))
            res.send(req.body)
        }
        router.get("/gate") { [self] _, res async in
            await waitForGate()
            res.send("opened")
        }
        router.post("/gate") { [self] _, res async in
            await waitForGate()
            res.send("opened")
        }
        router.get("/status/:code") { req, _ in
            let code = try req.params.require("code", as: Int.self)
            throw HTTPError(Status(code: code) ?? .internalServerError, "status \(code)")
        }
        router.get("/whoami") { req, res in
            guard let identity = req.identity, !identity.isExpired() else { throw HTTPError(.unauthorized, "expired") }
            res.send(identity.userId)
        }
        let busy: @Sendable (Request, Response) throws -> Void = { [self] req, res in
            let name = try req.params.require("name")
            let count = busyCounts.withLock { counts in
                counts[name, default: 0] += 1
                return counts[name, default: 0]
            }
            if count <= 2 { throw HTTPError(.serviceUnavailable, "busy") }
            res.send("done after \(count)")
        }
        router.get("/busy/:name", handler: busy)
        router.post("/busy/:name", handler: busy)
        router.post("/record") { [self] req, res in
            record(String(decoding: req.body, as: UTF8.self))
            res.status(.noContent).end()
        }
        router.get("/rooms/:room/read") { req, res in
            try req.subscribe(to: RoomName(try req.params.require("room")))
            res.send("state")
        }
        router.register(TestAPI.getBoard) { req, _ in
            let id = try req.params.require("id", as: Int.self)
            guard id == 7 else { throw HTTPError(.notFound, "no board \(id)") }
            return Board(id: 7, name: "Roadmap")
        }
        router.register(TestAPI.createBoard) { _, input in Board(id: 8, name: input.name) }
        router.post("/counter", idempotency.middleware) { [self] _, res in res.send(count()) }
        router.post("/counter/gated", idempotency.middleware) { [self] _, res in
            await waitForGate()
            res.send(count())
        }
        router.post("/counter/other", idempotency.middleware) { [self] _, res in res.send(count()) }
        router.post("/counter/small", smallIdempotency.middleware) { [self] _, res in res.send(count()) }
        return router
    }
}

/// A clock that moves only when told to.
final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex(Duration.zero)

    var now: ContinuousClock.Instant { start + offset.withLock { $0 } }

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }
}
