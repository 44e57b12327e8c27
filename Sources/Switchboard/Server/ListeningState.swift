/// Where a server is in its life, and who waits for it to listen.
struct ListeningState {
    enum Phase {
        case notStarted
        case listening(port: Int)
        case failed(any Error)
        case stopped
    }

    private(set) var phase: Phase = .notStarted
    private var waiters: [CheckedContinuation<Int, any Error>] = []

    /// The bound port while listening.
    var port: Int? {
        if case .listening(let port) = phase { return port }
        return nil
    }

    /// Adds a waiter, or returns the result at once when known.
    mutating func wait(_ continuation: CheckedContinuation<Int, any Error>) -> Result<Int, any Error>? {
        switch phase {
        case .notStarted:
            waiters.append(continuation)
            return nil
        case .listening(let port): return .success(port)
        case .failed(let error): return .failure(error)
        case .stopped: return .failure(ServerError.stopped)
        }
    }

    /// Moves to `phase`, returning the waiters to resume.
    mutating func transition(to phase: Phase) -> [CheckedContinuation<Int, any Error>] {
        self.phase = phase
        defer { waiters = [] }
        return waiters
    }
}
