import Synchronization

/// The shared, lock-guarded state of one request being routed: the response being built and
/// the request's middleware-set values. ``Request`` and ``Response`` both hold it.
///
/// One allocation per routed request; the state is moved into its lock, not copied.
final class Exchange: Sendable {
    private let state: Mutex<ExchangeState>
    /// The reply the router's own fallback handler sends (404, 405, automatic OPTIONS).
    let fallbackReply: Reply?

    init(_ state: consuming ExchangeState, fallbackReply: Reply? = nil) {
        self.state = Mutex(state)
        self.fallbackReply = fallbackReply
    }

    /// A fresh exchange for `request`; `fallbackReply` is what the router's fallback handler
    /// sends (404, 405, automatic OPTIONS).
    convenience init(for request: Request, fallbackReply: Reply? = nil) {
        self.init(ExchangeState(method: request.method, url: request.url, connection: request.connection), fallbackReply: fallbackReply)
    }

    /// Runs `body` with exclusive access to the state.
    func withLock<Result: Sendable>(_ body: (inout ExchangeState) -> Result) -> Result {
        state.withLock { body(&$0) }
    }

    /// Hands the reply to `sink` once it leaves (at once if it already may).
    func wait(_ sink: @escaping @Sendable (Reply) -> Void) {
        withLock { $0.wait(sink) }?.perform()
    }

    /// Records the task running the chain, so the deadline can cancel it.
    func startWork(_ task: Task<Void, Never>) {
        if !withLock({ $0.startWork(task) }) { task.cancel() }
    }

    /// Records the deadline timer, so the reply's departure can stop it.
    func startTimer(_ task: Task<Void, Never>) {
        if !withLock({ $0.startTimer(task) }) { task.cancel() }
    }

    /// Ends the exchange now unless its reply already left: the sent reply, else 504; the
    /// chain's task is cancelled.
    func expire() {
        withLock { $0.expire() }?.perform()
    }

    /// Marks the asynchronous chain as returned.
    func finishChain() {
        withLock { $0.finishChain() }?.perform()
    }
}
