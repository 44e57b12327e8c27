import Foundation
import Synchronization

/// A board of the demo: a named list of cards.
struct Board: Codable, Sendable {
    var id: Int
    var name: String
    var owner: String
}

/// The demo's boards, in memory.
final class BoardStore: Sendable {
    private let state = Mutex<(nextID: Int, boards: [Int: Board])>((3, [
        1: Board(id: 1, name: "Roadmap", owner: "demo"),
        2: Board(id: 2, name: "Bugs", owner: "admin"),
    ]))

    var all: [Board] { state.withLock { $0.boards.values.sorted { $0.id < $1.id } } }

    func board(_ id: Int) -> Board? { state.withLock { $0.boards[id] } }

    func create(name: String, owner: String) -> Board {
        state.withLock { state in
            let board = Board(id: state.nextID, name: name, owner: owner)
            state.boards[board.id] = board
            state.nextID += 1
            return board
        }
    }

    func rename(_ id: Int, to name: String) -> Board? {
        state.withLock { state in
            state.boards[id]?.name = name
            return state.boards[id]
        }
    }

    func delete(_ id: Int) -> Bool {
        state.withLock { $0.boards.removeValue(forKey: id) != nil }
    }
}
