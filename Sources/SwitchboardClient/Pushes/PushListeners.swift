import Synchronization
import SwitchboardCore

/// The push listeners, by id: each a pattern and a handler, called in registration order for
/// every push whose url matches.
final class PushListeners: Sendable {
    private struct Listener: Sendable {
        let pattern: PushPattern
        let handler: @Sendable (ClientPush) -> Void
        let finish: (@Sendable () -> Void)?
    }

    private let listeners = Mutex<(next: Int, byID: [Int: Listener], ended: Bool)>((0, [:], false))
    let bufferSize: Int

    init(bufferSize: Int) {
        self.bufferSize = bufferSize
    }

    /// Adds a listener; returns its id, or `nil` when the client has ended (then `finish` runs).
    func add(_ pattern: PushPattern, handler: @escaping @Sendable (ClientPush) -> Void, finish: (@Sendable () -> Void)? = nil) -> Int? {
        let id = listeners.withLock { state -> Int? in
            guard !state.ended else { return nil }
            state.next += 1
            state.byID[state.next] = Listener(pattern: pattern, handler: handler, finish: finish)
            return state.next
        }
        if id == nil { finish?() }
        return id
    }

    /// Removes listener `id`.
    func remove(_ id: Int) {
        _ = listeners.withLock { $0.byID.removeValue(forKey: id) }
    }

    /// Calls each matching listener with `push` (outside the lock, so handlers may add or
    /// remove listeners).
    func dispatch(_ push: PushFrame) {
        let all = listeners.withLock { $0.byID.sorted { $0.key < $1.key }.map(\.value) }
        var body: [UInt8]?
        for listener in all {
            guard let params = listener.pattern.match(push.url) else { continue }
            if body == nil { body = Array(push.data) }
            listener.handler(ClientPush(url: push.url, room: push.room, epoch: push.epoch, offset: push.offset, body: body ?? [], params: params))
        }
    }

    /// Removes every listener for good and finishes the push sequences.
    func finishAll() {
        let all = listeners.withLock { state -> [Listener] in
            state.ended = true
            defer { state.byID = [:] }
            return Array(state.byID.values)
        }
        for listener in all { listener.finish?() }
    }
}
