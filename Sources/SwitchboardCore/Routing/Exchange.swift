/// The shared, lock-guarded state of one request being routed: the response being built and
/// the request's middleware-set values. ``Request`` and ``Response`` both hold it.
typealias Exchange = LockedBox<ExchangeState>

extension LockedBox where Value == ExchangeState {
    /// A fresh exchange for `request`.
    static func make(for request: Request) -> Exchange {
        make(ExchangeState(method: request.method, url: request.url))
    }

    /// Waits for the reply of a chain that runs elsewhere, at most until `deadline` has passed
    /// from now; `onTimeout` runs if the deadline fires first, or if the waiting task is
    /// cancelled (the transport gave up, e.g. the connection closed), which also ends the wait
    /// with the 504.
    func reply(within deadline: Duration, onTimeout: @escaping @Sendable () -> Void = {}) async -> Reply {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if let delivery = withLock({ $0.wait(continuation) }) {
                    delivery.perform()
                    return
                }
                let timer = Task {
                    guard (try? await Task.sleep(for: deadline)) != nil else { return }
                    if let delivery = self.withLock({ $0.expire() }) {
                        delivery.perform()
                        onTimeout()
                    }
                }
                if !withLock({ $0.startTimer(timer) }) { timer.cancel() }
            }
        } onCancel: {
            withLock { $0.expire() }?.perform()
            onTimeout()
        }
    }

    /// Marks the asynchronous chain as returned.
    func finishChain() {
        withLock { $0.finishChain() }?.perform()
    }
}
