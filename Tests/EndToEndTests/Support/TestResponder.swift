import Foundation
import Switchboard
import Synchronization

/// Routes for the end-to-end tests.
///
/// - `GET /echo`: the body back, inline.
/// - `GET /slow?ms=N`: 200 with the body after N ms, awaited.
/// - `GET /big?bytes=N`: N bytes, inline.
/// - `GET /whoami`: the connection's user id; 401 when anonymous or expired.
/// - `GET /gate`: awaited until `gate` opens.
struct TestResponder: Responder {
    let gate: Gate

    init(gate: Gate = Gate()) {
        self.gate = gate
    }

    func respond(to request: Request) -> Dispatch {
        let (path, query) = split(request.url)
        switch path {
        case "/echo":
            return .completed(Reply(status: .ok, body: request.body))
        case "/slow":
            let milliseconds = Int(query["ms"] ?? "") ?? 10
            let body = request.body
            return .pending(PendingReply {
                try? await Task.sleep(for: .milliseconds(milliseconds))
                return Reply(status: .ok, body: body)
            })
        case "/big":
            let count = Int(query["bytes"] ?? "") ?? 0
            return .completed(Reply(status: .ok, body: ArraySlice(repeating: UInt8(ascii: "x"), count: count)))
        case "/whoami":
            guard let identity = request.connection.identity, !identity.isExpired() else {
                return .completed(Reply(status: .unauthorized, body: ArraySlice(#"{"error":"unauthorized"}"#.utf8)))
            }
            return .completed(Reply(status: .ok, body: ArraySlice(identity.userId.utf8)))
        case "/gate":
            let gate = self.gate
            return .pending(PendingReply {
                await gate.wait()
                return Reply(status: .ok, body: ArraySlice("opened".utf8))
            })
        default:
            return .completed(Reply(status: .notFound))
        }
    }

    private func split(_ url: String) -> (String, [String: String]) {
        guard let mark = url.firstIndex(of: "?") else { return (url, [:]) }
        var query: [String: String] = [:]
        for pair in url[url.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { query[String(parts[0])] = String(parts[1]) }
        }
        return (String(url[..<mark]), query)
    }
}

/// A latch that awaited handlers wait on until a test opens it.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    var waiting: Int { state.withLock { $0.waiters.count } }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
