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
        let maxAge = ClusterConfiguration.milliseconds(historyLimits(of: room).maxAge)
        let future = query.enqueue([Self.evalsha(sha, [prefix, node, room.rawValue, String(UInt32.random(in: 1...UInt32.max)), String(configuration.leaseMilliseconds), String(maxAge)])])
        switch Self.wait(for: future, timeout: configuration.loadTimeout) {
        case .success(let replies):
            guard let reply = replies.first, reply.errorMessage == nil, let history = Self.sharedHistory(from: reply) else {
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

    private static func evalsha(_ sha: String, _ arguments: [String]) -> RedisCommand {
        RedisCommand("EVALSHA", ([sha, "0"] + arguments).map { Array($0.utf8) })
    }

    /// The load script's reply as a shared history.
    private static func sharedHistory(from reply: RESPValue) -> SharedHistory? {
        guard let items = reply.elements, items.count == 5, let epoch = items[0].string.flatMap({ UInt32($0) }),
            let offset = items[1].string.flatMap({ UInt64($0) }), let sequence = items[2].string.flatMap({ UInt64($0) })
        else { return nil }
        var entries: [SharedHistory.Entry] = []
        for item in items[4].elements ?? [] {
            guard let pair = item.elements, pair.count == 2, let fields = pair[1].elements else { return nil }
            var values: [String: RESPValue] = [:]
            var index = 0
            while index + 1 < fields.count {
                if let name = fields[index].string { values[name] = fields[index + 1] }
                index += 2
            }
            guard let entryOffset = values["o"]?.string.flatMap({ UInt64($0) }), let position = values["p"]?.string.flatMap({ UInt64($0) }),
                let entrySequence = values["s"]?.string.flatMap({ UInt64($0) }), let at = values["t"]?.string.flatMap({ Int64($0) }),
                case .bulkString(let stored?) = values["f"]
            else { return nil }
            var frame = stored
            if entryOffset > 0 { FrameCodec.setPushPosition(epoch: epoch, offset: entryOffset, in: &frame) }
            let key = values["k"]?.string ?? ""
            entries.append(SharedHistory.Entry(offset: entryOffset, key: entryOffset > 0 ? nil : key, position: position, sequence: entrySequence, appendedAt: at, frame: frame))
        }
        return SharedHistory(epoch: epoch, offset: offset, sequence: sequence, entries: entries, isComplete: items[3].string != "1")
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
