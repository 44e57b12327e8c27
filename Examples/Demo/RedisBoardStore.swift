import Foundation
import Switchboard
import SwitchboardRedis
import Synchronization

/// The boards of a demo cluster, in the Redis the nodes share: every node reads and changes the
/// same boards under the same ids.
///
/// Keys: the hash `switchboard-demo:boards` (board id → the board as JSON) and the counter
/// `switchboard-demo:last-board-id`, whose `INCR` gives each new board its id. The first node
/// to connect to an empty Redis seeds the two initial boards and sets the counter to 2, in one
/// script, so a node joining later finds them and seeds nothing (a board deleted since is not
/// brought back). A rename writes the new board only if the stored one is still the one it
/// read, and reads again otherwise, so two nodes renaming at once do not lose a change.
///
/// It has one connection of its own; a closed connection is replaced at the next call (and a
/// call that found it closed is tried once more on the new one). While Redis cannot be reached
/// the board routes answer 503.
final class RedisBoardStore: BoardStore {
    static let boardsKey = "switchboard-demo:boards"
    static let lastIDKey = "switchboard-demo:last-board-id"

    /// Sets the counter and writes the boards only when the counter does not exist yet.
    /// KEYS: the hash, the counter. ARGV: id, JSON, id, JSON, …, the counter's first value.
    private static let seedScript = """
        if redis.call('SET', KEYS[2], ARGV[#ARGV], 'NX') then
          for i = 1, #ARGV - 1, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
          return 1
        end
        return 0
        """
    /// Replaces a board only if it is still the one read. KEYS: the hash. ARGV: id, the JSON
    /// read, the new JSON.
    private static let replaceScript = """
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
          return 1
        end
        return 0
        """

    private let configuration: RedisConfiguration
    private let connection = Mutex<RedisConnection?>(nil)

    private init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    /// Connects to the Redis at `url` and seeds the initial boards when it has none.
    /// - Throws: the `RedisConfiguration.URLError` of a malformed url, or the `RedisError` of a
    ///   Redis that cannot be reached.
    static func connect(url: String) async throws -> RedisBoardStore {
        let store = RedisBoardStore(configuration: try RedisConfiguration(url: url))
        _ = try await store.openConnection()
        return store
    }

    func all() async throws -> [Board] {
        let reply = try await run { connection throws(RedisError) in try await connection.send("HVALS", Self.boardsKey) }
        return try (reply.elements ?? []).map { try Self.decode($0) }.sorted { $0.id < $1.id }
    }

    func board(_ id: Int) async throws -> Board? {
        try await stored(id).map { try Self.decode($0) }
    }

    func create(name: String, owner: String) async throws -> Board {
        try await run { connection throws(RedisError) in
            guard let id = try await connection.send("INCR", Self.lastIDKey).integer else {
                throw .unexpectedReply(command: "INCR", reply: "not an integer")
            }
            let board = Board(id: Int(id), name: name, owner: owner, updatedAt: RoomRegistry.millisecondsSince1970())
            try await connection.send(RedisCommand("HSET", [Array(Self.boardsKey.utf8), Array(String(id).utf8), Self.encode(board)]))
            return board
        }
    }

    func rename(_ id: Int, to name: String) async throws -> (old: Board, new: Board)? {
        // Another node's change between the read and the write sends this round again.
        for _ in 0..<16 {
            guard let stored = try await stored(id) else { return nil }
            let old = try Self.decode(stored)
            var new = old
            new.name = name
            new.updatedAt = max(RoomRegistry.millisecondsSince1970(), old.updatedAt)
            let replaced = try await run { connection throws(RedisError) in
                try await connection.send(RedisCommand("EVAL", [
                    Array(Self.replaceScript.utf8), Array("1".utf8), Array(Self.boardsKey.utf8),
                    Array(String(id).utf8), stored, Self.encode(new),
                ]))
            }
            if replaced.integer == 1 { return (old, new) }
        }
        throw HTTPError(.conflict, "board \(id) kept changing while it was renamed; try again")
    }

    func delete(_ id: Int) async throws -> Bool {
        let reply = try await run { connection throws(RedisError) in try await connection.send("HDEL", Self.boardsKey, String(id)) }
        return reply.integer == 1
    }

    /// The board's JSON as stored, or `nil`.
    private func stored(_ id: Int) async throws -> [UInt8]? {
        let reply = try await run { connection throws(RedisError) in try await connection.send("HGET", Self.boardsKey, String(id)) }
        if case .bulkString(let bytes?) = reply { return bytes }
        return nil
    }

    /// Runs `body` on the open connection; a connection found closed is replaced and `body`
    /// run once more. Redis failures become 503.
    private func run<T: Sendable>(_ body: (RedisConnection) async throws(RedisError) -> T) async throws -> T {
        var attempts = 0
        while true {
            attempts += 1
            do {
                let connection = try await currentConnection()
                do {
                    return try await body(connection)
                } catch .connectionClosed where attempts == 1 {
                    drop(connection)
                    continue
                } catch {
                    if !connection.isOpen { drop(connection) }
                    throw error
                }
            } catch {
                throw HTTPError(.serviceUnavailable, "the boards are in Redis, which failed: \(error)")
            }
        }
    }

    private func currentConnection() async throws(RedisError) -> RedisConnection {
        if let open = connection.withLock({ $0 }), open.isOpen { return open }
        return try await openConnection()
    }

    /// Opens a connection, seeds an empty Redis, and keeps the connection unless another call
    /// opened one meanwhile.
    private func openConnection() async throws(RedisError) -> RedisConnection {
        let fresh = try await RedisConnection.connect(configuration: configuration)
        do {
            try await seed(on: fresh)
        } catch {
            await fresh.close()
            throw error
        }
        let (kept, spare) = connection.withLock { current -> (RedisConnection, RedisConnection?) in
            if let other = current, other.isOpen { return (other, fresh) }
            current = fresh
            return (fresh, nil)
        }
        if let spare { await spare.close() }
        return kept
    }

    private func drop(_ closed: RedisConnection) {
        connection.withLock { current in
            if current === closed { current = nil }
        }
    }

    /// Writes the initial boards unless the counter shows the boards were seeded before; run
    /// on every new connection, so a Redis that restarted empty gets them again.
    private func seed(on connection: RedisConnection) async throws(RedisError) {
        let boards = Self.initialBoards()
        var arguments = [Array(Self.seedScript.utf8), Array("2".utf8), Array(Self.boardsKey.utf8), Array(Self.lastIDKey.utf8)]
        for board in boards { arguments += [Array(String(board.id).utf8), Self.encode(board)] }
        arguments.append(Array(String(boards.count).utf8))
        try await connection.send(RedisCommand("EVAL", arguments))
    }

    private static func encode(_ board: Board) -> [UInt8] {
        // A board has only strings and integers: encoding cannot fail.
        (try? Array(JSONEncoder().encode(board))) ?? []
    }

    private static func decode(_ value: RESPValue) throws -> Board {
        guard case .bulkString(let bytes?) = value else {
            throw HTTPError(.internalServerError, "a board in Redis is not a string")
        }
        return try decode(bytes)
    }

    private static func decode(_ bytes: [UInt8]) throws -> Board {
        do {
            return try JSONDecoder().decode(Board.self, from: Data(bytes))
        } catch {
            throw HTTPError(.internalServerError, "a board in Redis (\(boardsKey)) is not a board: \(error)")
        }
    }
}
