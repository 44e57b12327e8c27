import Synchronization

/// The server's open WebSocket connections, and the count of slots reserved by handshakes in
/// progress, bounded by the maximum number of connections.
final class ConnectionTable: Sendable {
    /// Why a slot could not be reserved.
    enum ReservationFailure: Error, Equatable {
        case atCapacity(Int)
        case shuttingDown
    }

    private struct State {
        var reserved = 0
        var accepting = true
        var nextNumber: UInt64 = 0
        var open: [ConnectionID: Connection] = [:]
    }

    private let maxConnections: Int
    private let nodePrefix: String
    private let state = Mutex(State())

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
        self.nodePrefix = "n" + String(UInt32.random(in: 0x10000...0xFFFFF), radix: 16)
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

    /// Adds an open connection; returns `false` when the server is shutting down (the
    /// connection should then close at once).
    func add(_ connection: Connection) -> Bool {
        state.withLock { state in
            state.open[connection.id] = connection
            return state.accepting
        }
    }

    /// Removes a closed connection.
    func remove(_ id: ConnectionID) {
        _ = state.withLock { $0.open.removeValue(forKey: id) }
    }

    /// The open connection with `id`.
    func connection(_ id: ConnectionID) -> Connection? {
        state.withLock { $0.open[id] }
    }

    /// Every open connection.
    var all: [Connection] {
        state.withLock { Array($0.open.values) }
    }

    /// The number of reserved slots: open connections plus handshakes in progress.
    var count: Int { state.withLock { $0.reserved } }

    /// Refuses further reservations and returns the connections open now.
    func stopAccepting() -> [Connection] {
        state.withLock { state in
            state.accepting = false
            return Array(state.open.values)
        }
    }
}
