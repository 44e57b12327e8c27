import NIOCore

/// Commands written together, and the promise of their replies in order.
struct RedisRequest: Sendable {
    /// The commands, sent back to back.
    var commands: [RedisCommand]
    /// Whether the commands are subscribing commands, whose replies are confirmations (RESP3
    /// sends them as push frames), one per channel or pattern.
    var isSubscription: Bool
    /// How long the replies may take; `nil` waits forever.
    var timeout: TimeAmount?
    /// Completed with the replies, or failed with a ``RedisError``.
    var promise: EventLoopPromise<[RESPValue]>

    /// The commands that put a connection in subscribed mode or leave it.
    static let subscribingCommands: Set<String> = [
        "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE",
    ]

    /// How many replies each command gets: one, except subscribing commands, which the server
    /// confirms once per channel or pattern (or answers with one error reply).
    var replyCounts: [Int] {
        guard isSubscription else { return Array(repeating: 1, count: commands.count) }
        return commands.map { Self.subscribingCommands.contains($0.name) ? max(1, $0.arguments.count - 1) : 1 }
    }
}
