import NIOCore

/// The requests of one connection whose handlers are awaited, on its event loop, by a key of
/// the connection's own (client ids may repeat), and the one timer that expires those past
/// their deadline: their replies become 504s (``PendingReply/expire()``).
///
/// A request is started between ``begin()`` and ``commit(_:observation:)``: a handler that
/// answers without suspending answers in between (its task runs at once on the loop), and its
/// reply is handed back by `commit` without the request ever being kept or timed.
///
/// Deadlines are usually all the same length, so a later request never moves the timer.
final class PendingRequests {
    /// What became of a request at ``commit(_:observation:)``.
    enum Start {
        /// It was answered while starting; nothing is kept.
        case answered(Reply)
        /// It is kept until answered, expired or abandoned.
        case kept
        /// The connection closed while it started (``removeAll()`` ran): the caller expires it.
        case abandoned
    }

    /// What became of a reply handed to ``complete(_:with:)``.
    enum Completion {
        /// The request is being started: ``commit(_:observation:)`` returns the reply.
        case whileStarting
        /// The request was awaited; it is no longer kept.
        case awaited(Entry)
        /// The request is no longer kept (expired, or the connection closed).
        case gone
    }

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
    /// The request being started, and its reply once it came while starting.
    private var starting: (key: UInt64, reply: Reply?)?
    /// Whether ``removeAll()`` ran: nothing is kept any more.
    private var isClosed = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// How many requests are awaited.
    var count: Int { entries.count }

    /// Begins starting a request; returns its key. Call ``commit(_:observation:)`` once the
    /// request's work has been started.
    func begin() -> UInt64 {
        precondition(starting == nil, "a request is already being started")
        nextKey &+= 1
        starting = (nextKey, nil)
        return nextKey
    }

    /// Ends starting the request begun last: its reply when it came while starting, else the
    /// request is kept, its deadline counting from now (unless the connection closed
    /// meanwhile).
    func commit(_ reply: PendingReply, observation: RequestObservation?) -> Start {
        guard let (key, answer) = starting else { preconditionFailure("no request is being started") }
        starting = nil
        if let answer { return .answered(answer) }
        if isClosed { return .abandoned }
        let expiresAt = reply.deadline.map { eventLoop.now + TimeAmount($0) }
        entries[key] = Entry(reply: reply, expiresAt: expiresAt, observation: observation)
        if let expiresAt { armTimer(at: expiresAt) }
        return .kept
    }

    /// Hands over the reply to the request with `key`.
    func complete(_ key: UInt64, with reply: Reply) -> Completion {
        if starting?.key == key {
            starting?.reply = reply
            return .whileStarting
        }
        return entries.removeValue(forKey: key).map(Completion.awaited) ?? .gone
    }

    /// Removes every request and stops the timer (the connection closed); the caller expires
    /// them. A request being started is not kept (``Start/abandoned``).
    func removeAll() -> [Entry] {
        isClosed = true
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
        let now = eventLoop.now
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
