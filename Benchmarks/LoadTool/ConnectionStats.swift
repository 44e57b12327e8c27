import Histogram

/// What one connection counted during a run; summed over connections for the report.
struct ConnectionStats: Sendable {
    /// Responses received while measuring.
    var completed: UInt64 = 0
    /// Replies that were error frames or responses with a non-2xx status (any phase).
    var errorReplies: UInt64 = 0
    /// Replies whose id matched no request in flight, or that were too short to carry one.
    var unexpectedReplies: UInt64 = 0
    /// The connection closed before the run stopped.
    var disconnected: UInt64 = 0
    /// Latency of the responses received while measuring, in nanoseconds.
    var latency = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    /// Adds `other`'s counts to these.
    mutating func add(_ other: ConnectionStats) {
        completed += other.completed
        errorReplies += other.errorReplies
        unexpectedReplies += other.unexpectedReplies
        disconnected += other.disconnected
        latency.add(other.latency)
    }

    /// All errors together.
    var errors: UInt64 { errorReplies + unexpectedReplies + disconnected }
}
