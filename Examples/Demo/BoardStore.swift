import Switchboard

/// A board of the demo: a named list of cards.
struct Board: Codable, Sendable {
    var id: Int
    var name: String
    var owner: String
    /// When the board last changed, in milliseconds since 1970.
    var updatedAt: Int64
}

/// Where the demo keeps its boards: ``MemoryBoardStore`` for one node on its own,
/// ``RedisBoardStore`` when nodes share a Redis (`--redis`), so every node reads and changes the
/// same boards under the same ids.
///
/// Both start with the same two boards (``initialBoards(at:)``) and give new boards the next
/// unused id, from 3.
protocol BoardStore: Sendable {
    /// Every board, by id.
    func all() async throws -> [Board]
    /// The board `id`, or `nil` when there is none.
    func board(_ id: Int) async throws -> Board?
    /// Adds a board with the next id.
    func create(name: String, owner: String) async throws -> Board
    /// Renames a board; returns the board before and after, or `nil` when there is none.
    func rename(_ id: Int, to name: String) async throws -> (old: Board, new: Board)?
    /// Deletes a board; `false` when there was none.
    func delete(_ id: Int) async throws -> Bool
}

extension BoardStore {
    /// The boards a new store starts with (ids 1 and 2, so new boards start at 3).
    static func initialBoards(at time: Int64 = RoomRegistry.millisecondsSince1970()) -> [Board] {
        [
            Board(id: 1, name: "Roadmap", owner: "demo", updatedAt: time),
            Board(id: 2, name: "Bugs", owner: "admin", updatedAt: time),
        ]
    }
}
