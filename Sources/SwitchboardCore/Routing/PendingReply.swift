/// A reply that needs Swift concurrency: the answer of ``Dispatch/pending(_:)``.
///
/// A transport with timers of its own (the server) calls ``start(preferring:onReply:)`` and
/// ``expire()`` when ``deadline`` has passed; anything else awaits the reply with
/// `await pending()`, which keeps the deadline itself. Either way exactly one reply comes
/// out: the chain's, or 504 at the deadline (the chain's task is then cancelled).
public struct PendingReply: Sendable {
    let exchange: Exchange
    /// What runs in the task: the chain, up to its end. `nil` when there is nothing left to
    /// run (a synchronous chain returned without answering; the reply may still be sent).
    let work: (@Sendable () async -> Void)?

    /// How long the reply may take, from ``start(preferring:onReply:)``; `nil`: no deadline.
    public let deadline: Duration?

    init(exchange: Exchange, deadline: Duration?, work: (@Sendable () async -> Void)?) {
        self.exchange = exchange
        self.deadline = deadline
        self.work = work
    }

    /// A pending reply computed by `operation`, for responders other than ``Router``.
    public init(deadline: Duration? = nil, _ operation: @escaping @Sendable () async -> Reply) {
        let exchange = Exchange(ExchangeState())
        self.init(exchange: exchange, deadline: deadline) {
            let reply = await operation()
            exchange.withLock { state in
                state.status = reply.status
                _ = state.send(reply.body)
            }
            exchange.finishChain()
        }
    }

    /// Starts the work in a new task and hands the reply to `onReply` exactly once, on whichever
    /// thread produces it. Call it once.
    ///
    /// With an `executor` (e.g. one that runs jobs on the connection's event loop, called from
    /// that loop), the task starts at once on the calling thread and runs there up to its first
    /// suspension, then on `executor`: a handler that never suspends answers before this
    /// returns, without a hop. Without one, the task runs on the global executor.
    public func start(preferring executor: (any TaskExecutor)?, onReply: @escaping @Sendable (Reply) -> Void) {
        exchange.wait(onReply)
        guard let work else { return }
        exchange.startWork(Task.start(preferring: executor, work))
    }

    /// Ends the wait now, for a deadline kept by the transport or a transport that gave up:
    /// unless the reply already left, `onReply` gets the reply sent so far, else 504, and the
    /// work's task is cancelled. Does nothing after the reply left.
    public func expire() {
        exchange.expire()
    }

    /// Starts the work and waits for its reply, keeping ``deadline`` with a timer task.
    /// Cancelling the waiting task ends the wait at once (504 unless a reply was sent) and
    /// cancels the work.
    public func callAsFunction() async -> Reply {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                start(preferring: nil) { continuation.resume(returning: $0) }
                guard let deadline else { return }
                let exchange = self.exchange
                exchange.startTimer(Task {
                    guard (try? await Task.sleep(for: deadline)) != nil else { return }
                    exchange.expire()
                })
            }
        } onCancel: {
            exchange.expire()
        }
    }
}
