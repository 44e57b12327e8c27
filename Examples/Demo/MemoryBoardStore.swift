import Switchboard
import Synchronization

/// The boards of a demo that runs as one node: in this process's memory, gone when it stops.
final class MemoryBoardStore: BoardStore {
    private let state: Mutex<(nextID: Int, boards: [Int: Board])>

    init() {
        let boards = Self.initialBoards()
        state = Mutex((boards.count + 1, Dictionary(uniqueKeysWithValues: boards.map { ($0.id, $0) })))
    }

    func all() -> [Board] { state.withLock { $0.boards.values.sorted { $0.id < $1.id } } }

    func board(_ id: Int) -> Board? { state.withLock { $0.boards[id] } }

    func create(name: String, owner: String) -> Board {
        state.withLock { state in
            let board = Board(id: state.nextID, name: name, owner: owner, updatedAt: RoomRegistry.millisecondsSince1970())
            state.boards[board.id] = board
            state.nextID += 1
            return board
        }
    }

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
