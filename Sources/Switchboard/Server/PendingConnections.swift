import NIOCore
import Synchronization

/// The accepted TCP connections that are not open WebSockets (handshakes in progress, plain
/// HTTP requests), bounded by ``Configuration/maxPendingConnections``.
///
/// At the bound, admitting a new connection closes the one that has waited longest: a flood of
/// stalled connections then holds at most the bound of sockets and cannot keep a new client
/// out, because each newcomer displaces the oldest staller rather than being refused.
final class PendingConnections: Sendable {
    private struct State {
        var nextNumber: UInt64 = 0
        /// By admission number, so the smallest key is the longest waiting.
        var channels: [UInt64: any Channel] = [:]
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Admits `channel` until ``finish(_:)``, which the caller calls when the channel opens as a
    /// WebSocket and when it closes; closes the longest-waiting pending connection first when at
    /// the bound.
    /// - Returns: the number to pass to ``finish(_:)``.
    func admit(_ channel: any Channel) -> UInt64 {
        let (number, evicted) = state.withLock { state -> (UInt64, (any Channel)?) in
            state.nextNumber += 1
            var evicted: (any Channel)?
            if state.channels.count >= limit, let oldest = state.channels.keys.min() {
                evicted = state.channels.removeValue(forKey: oldest)
            }
            state.channels[state.nextNumber] = channel
            return (state.nextNumber, evicted)
        }
        evicted?.close(promise: nil)
        return number
    }

    /// The connection admitted as `number` is no longer pending (it became a WebSocket, or
    /// closed). Idempotent.
    func finish(_ number: UInt64) {
        _ = state.withLock { $0.channels.removeValue(forKey: number) }
    }

    /// Closes every pending connection (at shutdown: none of them will become a WebSocket).
    func closeAll() {
        let channels = state.withLock { state in
            defer { state.channels.removeAll() }
            return Array(state.channels.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }

    /// The number of pending connections.
    var count: Int { state.withLock { $0.channels.count } }
}
