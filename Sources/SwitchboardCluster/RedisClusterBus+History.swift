import Dispatch
import NIOCore
import Switchboard
import Synchronization
import SwitchboardRedis

/// Shared histories: a room's stream loaded in one round trip on the query connection.
extension RedisClusterBus {
    /// Registers this node for `room` and reads the room's stream, in one script, waiting at
    /// most ``ClusterConfiguration/loadTimeout``; `nil` while degraded or on failure. A new
    /// connection's random client room is not read: its history starts empty, with the epoch
    /// this node wrote to Redis when the connection was registered (``roomsChanged(_:)``).
    public func loadHistory(of room: RoomName) -> SharedHistory? {
        enum Source {
            case started(epoch: UInt32)
            case query(RedisConnection, sha: String)
        }
        let waitable = !busGroup.any().inEventLoop
        let source = state.withLock { state -> Source? in
            if let epoch = state.started.removeValue(forKey: room) { return .started(epoch: epoch) }
            guard state.healthy, let query = state.query, waitable, !query.eventLoop.inEventLoop else { return nil }
            state.historyLoads += 1
            return .query(query, sha: state.scripts.load)
        }
        switch source {
        case .started(let epoch): return SharedHistory(epoch: epoch, offset: 0, sequence: 0, entries: [], isComplete: true)
        case .query(let query, let sha): return load(room, on: query, sha: sha)
        case nil: return nil
        }
    }

    /// Runs the load script for `room` on `query` and waits for it.
    private func load(_ room: RoomName, on query: RedisConnection, sha: String) -> SharedHistory? {
        let future = query.enqueue([loadCommand(sha: sha, room: room)])
        switch Self.wait(for: future, timeout: configuration.loadTimeout) {
        case .success(let replies):
            guard let reply = replies.first, reply.errorMessage == nil, let history = Self.sharedHistory(from: reply, room: room)?.history else {
                logger.error("cannot read a room's shared history", metadata: ["room": "\(room)", "reply": "\(replies)"])
                return nil
            }
            return history
        case .failure(let error):
            logger.error("cannot load a room's shared history", metadata: ["room": "\(room)", "error": "\(error)"])
            return nil
        }
    }

    func historyLimits(of room: RoomName) -> HistoryLimits {
        state.withLock { $0.attachment }?.publisher.history.policy.limits(for: room) ?? HistoryLimits()
    }

    /// The load script for `room`: registers this node for the room and reads its stream;
    /// `epoch` is the room's epoch if it has no shared history yet.
    func loadCommand(sha: String, room: RoomName, epoch: UInt32 = UInt32.random(in: 1...UInt32.max)) -> RedisCommand {
        let maxAge = ClusterConfiguration.milliseconds(historyLimits(of: room).maxAge)
        let arguments = [sha, "0", prefix, node, room.rawValue, String(epoch), String(configuration.leaseMilliseconds), String(maxAge)]
        return RedisCommand("EVALSHA", arguments.map { Array($0.utf8) })
    }

    /// Checks the load script's replies for new connections' client rooms (`started`, in
    /// order): each room's shared history must have the epoch this node gave it.
    func checkStarted(_ started: [(room: RoomName, epoch: UInt32)], replies: [RESPValue]) {
        for (index, start) in started.enumerated() {
            let epoch = replies.count > index ? replies[index].elements?.first?.string.flatMap { UInt32($0) } : nil
            guard epoch != start.epoch else { continue }
            logger.warning(
                "a new client room already had a shared history in Redis: its connection's pushes reset its position",
                metadata: ["room": "\(start.room)", "epoch": "\(start.epoch)", "reply": "\(replies.count > index ? "\(replies[index])" : "none")"]
            )
        }
    }

    /// The load script's reply as a shared history of `room`, with the stream's entries as
    /// they are (nothing dropped); `nil` when it is not one.
    static func sharedHistory(from reply: RESPValue, room: RoomName) -> (history: SharedHistory, entries: [StreamEntry])? {
        guard let items = reply.elements, items.count == 5, let epoch = items[0].string.flatMap({ UInt32($0) }),
            let offset = items[1].string.flatMap({ UInt64($0) }), let sequence = items[2].string.flatMap({ UInt64($0) })
        else { return nil }
        var entries: [StreamEntry] = []
        for item in items[4].elements ?? [] {
            guard let entry = StreamEntry(item) else { return nil }
            entries.append(entry)
        }
        let kept = entries.compactMap { $0.placed(in: room.rawValue, epoch: epoch).positioned().entry }
        let history = SharedHistory(epoch: epoch, offset: offset, sequence: sequence, entries: kept, isComplete: items[3].string != "1")
        return (history, entries)
    }

    /// Waits for `future` from a thread that is not its event loop's, at most `timeout`.
    static func wait<Value: Sendable>(for future: EventLoopFuture<Value>, timeout: Duration) -> Result<Value, any Error> {
        let box = Mutex<Result<Value, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { result in
            box.withLock { $0 = result }
            done.signal()
        }
        let milliseconds = Int(ClusterConfiguration.milliseconds(timeout))
        guard done.wait(timeout: .now() + .milliseconds(milliseconds)) == .success, let result = box.withLock({ $0 }) else {
            return .failure(RedisError.timeout(command: "EVALSHA (load)", after: .milliseconds(Int64(milliseconds))))
        }
        return result
    }
}
