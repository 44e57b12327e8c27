import NIOCore

/// The requests of one connection whose handlers are awaited, on its event loop, by a key of
/// the connection's own (client ids may repeat), and the one timer that expires those past
/// their deadline: their replies become 504s (``PendingReply/expire()``).
///
/// Deadlines are usually all the same length, so a later request never moves the timer.
final class PendingRequests {
    /// One awaited request.
    struct Entry {
        var reply: PendingReply
        var expiresAt: NIODeadline?
        var observation: RequestObservation?
    }

    private let eventLoop: any EventLoop
    private var entries: [UInt64: Entry] = [:]
    private var nextKey: UInt64 = 0
    private var timer: Scheduled<Void>?
    private var timerFiresAt: NIODeadline?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// How many requests are awaited.
    var count: Int { entries.count }

    /// Adds a request; returns its key. Its deadline counts from now.
    func add(_ reply: PendingReply, observation: RequestObservation?) -> UInt64 {
        nextKey &+= 1
        let expiresAt = reply.deadline.map { NIODeadline.now() + TimeAmount($0) }
        entries[nextKey] = Entry(reply: reply, expiresAt: expiresAt, observation: observation)
        if let expiresAt { armTimer(at: expiresAt) }
        return nextKey
    }

    /// Removes the request with `key` (answered); `nil` when it was removed already.
    func remove(_ key: UInt64) -> Entry? {
        entries.removeValue(forKey: key)
    }

    /// Removes every request and stops the timer (the connection closed); the caller expires
    /// them.
    func removeAll() -> [Entry] {
        timer?.cancel()
        timer = nil
        timerFiresAt = nil
        defer { entries.removeAll() }
        return Array(entries.values)
    }

    /// Makes sure the timer fires by `deadline`.
    private func armTimer(at deadline: NIODeadline) {
        if let firesAt = timerFiresAt, firesAt <= deadline { return }
        timer?.cancel()
        timerFiresAt = deadline
        let requests = NIOLoopBound(self, eventLoop: eventLoop)
        timer = eventLoop.scheduleTask(deadline: deadline) {
            requests.value.expireOverdue()
        }
    }

    /// Expires the requests past their deadline and arms the timer for the next one.
    private func expireOverdue() {
        timer = nil
        timerFiresAt = nil
        let now = NIODeadline.now()
        var overdue: [PendingReply] = []
        var next: NIODeadline?
        for entry in entries.values {
            guard let expiresAt = entry.expiresAt else { continue }
            if expiresAt <= now {
                overdue.append(entry.reply)
            } else if next.map({ expiresAt < $0 }) ?? true {
                next = expiresAt
            }
        }
        for reply in overdue { reply.expire() }
        if let next { armTimer(at: next) }
    }
}

@available(*, unavailable)
extension PendingRequests: Sendable {}
