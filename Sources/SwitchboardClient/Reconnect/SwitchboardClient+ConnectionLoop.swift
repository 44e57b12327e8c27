import NIOCore
import SwitchboardCore

/// The connection loop: connect, serve until the socket closes, wait per the
/// ``ReconnectPolicy``, connect again — until ``SwitchboardClient/close()``, a 401/403 refusal,
/// or no attempts left.
extension SwitchboardClient {
    func runConnectionLoop() async {
        let policy = configuration.reconnect
        var attempt = 0
        var refusedWithFreshToken = false
        var lastFailure = SwitchboardClientError.connectionFailed("no attempt made")
        while !Task.isCancelled {
            if attempt > 0 {
                guard policy.allows(attempt: attempt) else {
                    return end(lastFailure)
                }
                guard enter(.reconnecting(attempt: attempt)) else { return }
                do {
                    try await Task.sleep(for: policy.delay(forAttempt: attempt, random: configuration.random()))
                } catch {
                    return
                }
            }
            guard let generation = beginAttempt() else { return }
            let token: String?
            do {
                token = try await configuration.tokenProvider?()
            } catch {
                lastFailure = .connectionFailed("the token provider failed: \(error)")
                attempt += 1
                continue
            }
            switch await connector.connect(token: token, sink: self, generation: generation) {
            case .refused(let status, let reason) where status == 401 || status == 403:
                // The token provider gets one more chance (it is asked again) before giving up.
                if configuration.tokenProvider != nil && !refusedWithFreshToken {
                    refusedWithFreshToken = true
                    continue
                }
                return end(.handshakeRefused(status: status, reason: reason))
            case .refused(let status, let reason):
                lastFailure = .connectionFailed("the server refused the handshake with \(status): \(reason)")
                attempt += 1
            case .failed(let failure):
                lastFailure = failure
                attempt += 1
            case .open(let channel):
                refusedWithFreshToken = false
                guard opened(channel, generation: generation) else {
                    channel.close(promise: nil)
                    return
                }
                let openedAt = ContinuousClock.now
                try? await channel.closeFuture.get()
                lastFailure = .connectionFailed("the connection closed")
                attempt = ContinuousClock.now - openedAt >= policy.resetAfter ? 1 : attempt + 1
                if !policy.allows(attempt: attempt) {
                    disconnected(generation: generation, next: .closed)
                    return end(lastFailure)
                }
                disconnected(generation: generation, next: .reconnecting(attempt: attempt))
            }
        }
    }

    /// Starts attempt: a new generation, or `nil` when the client has ended.
    private func beginAttempt() -> Int? {
        core.withLock { core in
            guard !core.hasEnded else { return nil }
            core.generation += 1
            return core.generation
        }
    }

    /// Moves to `state` unless the client has ended.
    private func enter(_ state: ConnectionState) -> Bool {
        core.withLock { core in
            guard !core.hasEnded else { return false }
            core.enter(state)
            return true
        }
    }
}
