import Foundation
import Switchboard
import Synchronization

/// A board of the demo: a named list of cards.
struct Board: Codable, Sendable {
    var id: Int
    var name: String
    var owner: String
    /// When the board last changed, in milliseconds since 1970.
    var updatedAt: Int64
}

/// The demo's boards, in memory.
final class BoardStore: Sendable {
    private let state = Mutex<(nextID: Int, boards: [Int: Board])>((3, [
        1: Board(id: 1, name: "Roadmap", owner: "demo", updatedAt: RoomRegistry.millisecondsSince1970()),
        2: Board(id: 2, name: "Bugs", owner: "admin", updatedAt: RoomRegistry.millisecondsSince1970()),
    ]))

    var all: [Board] { state.withLock { $0.boards.values.sorted { $0.id < $1.id } } }

    func board(_ id: Int) -> Board? { state.withLock { $0.boards[id] } }

    func create(name: String, owner: String) -> Board {
        state.withLock { state in
            let board = Board(id: state.nextID, name: name, owner: owner, updatedAt: RoomRegistry.millisecondsSince1970())
            state.boards[board.id] = board
            state.nextID += 1
            return board
        }
    }

    /// Renames a board; returns the board before and after, or `nil` when there is none.
    func rename(_ id: Int, to name: String) -> (old: Board, new: Board)? {
        state.withLock { state in
            guard let old = state.boards[id] else { return nil }
            var new = old
            new.name = name
            new.updatedAt = RoomRegistry.millisecondsSince1970()
            state.boards[id] = new
            return (old, new)
        }
    }

    func delete(_ id: Int) -> Bool {
        state.withLock { $0.boards.removeValue(forKey: id) != nil }
    }
}
