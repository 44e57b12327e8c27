/// When and how often a ``SwitchboardClient`` tries to reopen a lost connection: exponential
/// backoff with full jitter between ``minimumDelay`` and ``maximumDelay``.
///
/// Attempt `n` (from 1) waits a uniformly random time between `minimumDelay` and
/// `min(maximumDelay, minimumDelay × multiplier^(n−1))`. A connection that stayed open for
/// ``resetAfter`` counts as healthy: the next loss starts again at attempt 1. The client never
/// reconnects after ``SwitchboardClient/close()``, nor after a handshake refused with 401/403.
public struct ReconnectPolicy: Sendable, Hashable {
    /// The shortest wait before an attempt (and the exact wait before attempt 1). Default 250 ms.
    public var minimumDelay: Duration
    /// The longest wait before an attempt. Default 30 s.
    public var maximumDelay: Duration
    /// How much the upper bound grows per attempt. Default 2.
    public var multiplier: Double
    /// How many attempts in a row may fail before the client gives up and closes; `nil` for no
    /// limit (the default).
    public var maxAttempts: Int?
    /// How long a connection must stay open for the attempt count to start again at 1. Default 10 s.
    public var resetAfter: Duration

    /// A policy; the defaults retry forever, from 250 ms up to 30 s apart.
    public init(
        minimumDelay: Duration = .milliseconds(250),
        maximumDelay: Duration = .seconds(30),
        multiplier: Double = 2,
        maxAttempts: Int? = nil,
        resetAfter: Duration = .seconds(10)
    ) {
        self.minimumDelay = minimumDelay
        self.maximumDelay = max(maximumDelay, minimumDelay)
        self.multiplier = max(multiplier, 1)
        self.maxAttempts = maxAttempts
        self.resetAfter = resetAfter
    }

    /// Never reconnects: a lost connection closes the client.
    public static let never = ReconnectPolicy(maxAttempts: 0)

    /// Whether attempt `attempt` (from 1) may be made.
    public func allows(attempt: Int) -> Bool {
        guard let maxAttempts else { return true }
        return attempt <= maxAttempts
    }

    /// The wait before attempt `attempt` (from 1), for a `random` value in `0..<1` (values
    /// outside are clamped): `minimumDelay + random × (upper − minimumDelay)`.
    public func delay(forAttempt attempt: Int, random: Double) -> Duration {
        let minimum = minimumDelay.seconds
        let exponent = Double(max(attempt, 1) - 1)
        let upper = min(maximumDelay.seconds, minimum * pow(multiplier, exponent))
        let fraction = min(max(random, 0), 1)
        let seconds = minimum + fraction * (upper - minimum)
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// `base` raised to `exponent`, without Foundation; saturates instead of overflowing.
    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in whole milliseconds.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
