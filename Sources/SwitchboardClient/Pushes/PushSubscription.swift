/// A push listener registered with ``SwitchboardClient/on(_:handler:)``; ``stopListening()``
/// removes it. Dropping the subscription does not: listeners live until stopped or the client
/// ends.
public struct PushSubscription: Sendable {
    private let listeners: PushListeners
    private let id: Int?

    init(listeners: PushListeners, id: Int?) {
        self.listeners = listeners
        self.id = id
    }

    /// Stops calling the handler; pushes already being delivered may still reach it.
    public func stopListening() {
        if let id { listeners.remove(id) }
    }
}
