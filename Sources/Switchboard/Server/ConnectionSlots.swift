import Synchronization

/// The server's connection slots: one reserved by each handshake in progress and held by each
/// open WebSocket connection until its channel closes, bounded by
/// ``Configuration/maxConnections``; whether new connections are accepted; and connection ids.
///
/// It keeps no connections: the one map of open connections is the server's
/// `ConnectionRegistry` (``Server/registry``).
final class ConnectionSlots: Sendable {
    /// Why a slot could not be reserved.
    enum ReservationFailure: Error, Equatable {
        case atCapacity(Int)
        case shuttingDown
    }

    private struct State {
        var reserved = 0
        var accepting = true
        var nextNumber: UInt64 = 0
    }

    private let maxConnections: Int
    private let nodePrefix: String
    private let state = Mutex(State())

    /// Slots whose connection ids start with `nodePrefix` (a cluster node's id), or with a
    /// random `n…` prefix when it is `nil`.
    init(maxConnections: Int, nodePrefix: String? = nil) {
        self.maxConnections = maxConnections
        self.nodePrefix = nodePrefix ?? "n" + String(UInt32.random(in: 0x10000...0xFFFFF), radix: 16)
    }

    /// Reserves a slot for a connection being opened; release it when the channel closes.
    func reserve() -> Result<Void, ReservationFailure> {
        state.withLock { state in
            guard state.accepting else { return .failure(.shuttingDown) }
            guard state.reserved < maxConnections else { return .failure(.atCapacity(maxConnections)) }
            state.reserved += 1
            return .success(())
        }
    }

    /// Gives back a slot.
    func release() {
        state.withLock { $0.reserved -= 1 }
    }

    /// A new connection id, unique on this node and, by its random node prefix, across nodes.
    func nextID() -> ConnectionID {
        let number = state.withLock { state in
            state.nextNumber += 1
            return state.nextNumber
        }
        return ConnectionID("\(nodePrefix)-\(number)")
    }

    /// Whether the server still accepts connections. A connection checks it after entering
    /// the registry, and shutdown reads the registry after ``stopAccepting()``: each connection
    /// is either among those shut down or sees `false` and shuts itself down.
    var isAccepting: Bool { state.withLock { $0.accepting } }

    /// The number of reserved slots: open connections plus handshakes in progress.
    var count: Int { state.withLock { $0.reserved } }

    /// Refuses further reservations.
    func stopAccepting() {
        state.withLock { $0.accepting = false }
    }
}
