import NIOCore

/// Commands written together, and the promise of their replies in order.
struct RedisRequest: Sendable {
    /// The commands, sent back to back.
    var commands: [RedisCommand]
    /// How many replies complete the request: one per command, except subscribing commands,
    /// which the server confirms once per channel or pattern.
    var replyCount: Int
    /// Whether the replies are subscription confirmations (RESP3 sends them as push frames).
    var isSubscription: Bool
    /// How long the replies may take; `nil` waits forever.
    var timeout: TimeAmount?
    /// Completed with the replies, or failed with a ``RedisError``.
    var promise: EventLoopPromise<[RESPValue]>

    /// The commands that put a connection in subscribed mode or leave it.
    static let subscribingCommands: Set<String> = [
        "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE",
    ]

    /// The replies `command` gets.
    static func replyCount(of command: RedisCommand) -> Int {
        subscribingCommands.contains(command.name) ? max(1, command.arguments.count - 1) : 1
    }
}
