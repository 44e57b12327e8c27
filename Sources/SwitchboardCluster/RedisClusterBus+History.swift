import Dispatch
import NIOCore
import Switchboard
import Synchronization
import SwitchboardRedis

/// Shared histories: a room's stream loaded in one round trip on the query connection.
extension RedisClusterBus {
    /// Registers this node for `room` and reads the room's stream, in one script, waiting at
    /// most ``ClusterConfiguration/loadTimeout``; `nil` while degraded or on failure.
    public func loadHistory(of room: RoomName) -> SharedHistory? {
        guard let (query, sha) = state.withLock({ state in state.healthy ? state.query.map { ($0, state.scripts.load) } : nil }),
            !query.eventLoop.inEventLoop, !busGroup.any().inEventLoop
        else { return nil }
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

    /// The load script for `room`: registers this node for the room and reads its stream.
    func loadCommand(sha: String, room: RoomName) -> RedisCommand {
        let maxAge = ClusterConfiguration.milliseconds(historyLimits(of: room).maxAge)
        let arguments = [
            sha, "0", prefix, node, room.rawValue, String(UInt32.random(in: 1...UInt32.max)), String(configuration.leaseMilliseconds), String(maxAge),
        ]
        return RedisCommand("EVALSHA", arguments.map { Array($0.utf8) })
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
