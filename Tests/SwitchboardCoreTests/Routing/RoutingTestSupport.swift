import Foundation
import Testing
@testable import SwitchboardCore
import Synchronization

/// A connection for routing tests.
final class FakeConnection: ConnectionContext {
    let id = ConnectionID("c-1")
    let clientId: String? = nil
    let identity: Identity?
    let roomRegistry = RoomRegistry()
    private let recorded = Mutex<[Push]>([])

    init(identity: Identity? = nil) { self.identity = identity }

    func publish(_ pushes: [Push]) { recorded.withLock { $0 += pushes } }

    /// The pushes handlers published, in order.
    var published: [Push] { recorded.withLock { $0 } }
}

/// What one routed request produced.
struct Outcome {
    let status: Status
    let body: String
    let inline: Bool

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

/// Routes a request the way a transport does.
func send(_ router: Router, _ url: String, body: String = "", identity: Identity? = nil) async -> Outcome {
    await send(router, .get, url, body: body, identity: identity)
}

/// Routes a request the way a transport does.
func send(
    _ router: Router, _ method: SwitchboardCore.Method, _ url: String, body: String = "",
    identity: Identity? = nil
) async -> Outcome {
    let request = Request(method: method, url: url, body: ArraySlice(body.utf8), id: 1, connection: FakeConnection(identity: identity))
    switch router.respond(to: request) {
    case .completed(let reply):
        return Outcome(status: reply.status, body: String(decoding: reply.body, as: UTF8.self), inline: true)
    case .pending(let operation):
        let reply = await operation()
        return Outcome(status: reply.status, body: String(decoding: reply.body, as: UTF8.self), inline: false)
    }
}

/// A thread-safe list of strings, to record what ran in which order.
final class Log: Sendable {
    private let box = Mutex<[String]>([])
    func add(_ entry: String) { box.withLock { $0.append(entry) } }
    var entries: [String] { box.withLock { $0 } }
}

/// A router whose diagnostics go to `log`.
func loggingRouter(_ log: Log, deadline: Duration = .seconds(30)) -> Router {
    Router(configuration: RouterConfiguration(handlerDeadline: deadline, diagnostics: { log.add($0) }))
}

/// An async handler that waits 30 s and answers "late" unless cancelled first, in which case it
/// adds `entry` to `log` and throws.
func hangingUntilCancelled(_ log: Log, noting entry: String = "cancelled") -> @Sendable (Request, Response) async throws -> Void {
    { _, res in
        do {
            try await Task.sleep(for: .seconds(30))
        } catch {
            log.add(entry)
            throw error
        }
        res.send("late")
    }
}
