import Switchboard
import Synchronization

/// Pushes board changes to every connection (`/boards/created`, `/boards/updated`,
/// `/boards/deleted`) once the server exists.
final class BoardEvents: Sendable {
    private let server = Mutex<Server?>(nil)

    /// Starts pushing through `server`.
    func attach(_ server: Server) {
        self.server.withLock { $0 = server }
    }

    /// Pushes `board` under `url` to everyone but the connection that made the change.
    func publish(_ url: String, _ board: Board, except sender: ConnectionID) {
        guard let server = server.withLock({ $0 }), let message = try? PushMessage(url: url, json: board) else { return }
        _ = try? server.push(message, to: .everyone(excluding: sender))
    }
}
