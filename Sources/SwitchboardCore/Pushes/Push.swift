/// A push message and who it goes to: what ``Response/push(_:to:)`` records and
/// ``ConnectionContext/publish(_:)`` carries out.
public struct Push: Sendable, Hashable {
    /// The message.
    public var message: PushMessage
    /// Who it goes to.
    public var target: PushTarget

    /// A push of `message` to `target`.
    public init(_ message: PushMessage, to target: PushTarget) {
        self.message = message
        self.target = target
    }
}
