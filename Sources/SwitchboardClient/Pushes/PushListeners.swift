import Synchronization
import SwitchboardCore

/// The push listeners, by id: each a pattern and a handler, called in registration order for
/// every push whose url matches.
final class PushListeners: Sendable {
    private struct Listener: Sendable {
        let id: Int
        let pattern: PushPattern
        let handler: @Sendable (ClientPush) -> Void
        let finish: (@Sendable () -> Void)?
    }

    /// In registration order (ids increase), so a push takes them as they are, without sorting.
    private let listeners = Mutex<(next: Int, all: [Listener], ended: Bool)>((0, [], false))
    let bufferSize: Int

    init(bufferSize: Int) {
        self.bufferSize = bufferSize
    }

    /// Adds a listener; returns its id, or `nil` when the client has ended (then `finish` runs).
    func add(_ pattern: PushPattern, handler: @escaping @Sendable (ClientPush) -> Void, finish: (@Sendable () -> Void)? = nil) -> Int? {
        let id = listeners.withLock { state -> Int? in
            guard !state.ended else { return nil }
            state.next += 1
            state.all.append(Listener(id: state.next, pattern: pattern, handler: handler, finish: finish))
            return state.next
        }
        if id == nil { finish?() }
        return id
    }

    /// Removes listener `id`.
    func remove(_ id: Int) {
        listeners.withLock { state in
            if let index = state.all.firstIndex(where: { $0.id == id }) { state.all.remove(at: index) }
        }
    }

    /// Calls each matching listener with `push` (outside the lock, so handlers may add or
    /// remove listeners).
    func dispatch(_ push: PushFrame) {
        let all = listeners.withLock { $0.all }
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
            defer { state.all = [] }
            return state.all
        }
        for listener in all { listener.finish?() }
    }
}
