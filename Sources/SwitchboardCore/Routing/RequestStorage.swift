/// Typed values attached to one request, shared by its middleware and handler; see
/// ``RequestStorageKey``.
///
/// Storage belongs to the request being routed: every copy of the ``Request`` a chain passes
/// along sees the same values. A request that was never routed stores nothing.
public struct RequestStorage: Sendable {
    let exchange: Exchange?

    /// The value stored under `key`, or `nil`.
    public subscript<Key: RequestStorageKey>(key: Key.Type) -> Key.Value? {
        get {
            exchange?.withLock { $0.storage[ObjectIdentifier(key)] as? Key.Value }
        }
        nonmutating set {
            exchange?.withLock { $0.storage[ObjectIdentifier(key)] = newValue }
        }
    }
}
