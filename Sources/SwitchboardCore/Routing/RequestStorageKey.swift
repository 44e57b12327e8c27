/// A key for typed per-request storage: what middleware learns and handlers read.
///
/// ```swift
/// enum AccountKey: RequestStorageKey { typealias Value = Account }
/// req.storage[AccountKey.self] = account          // in middleware
/// let account = req.storage[AccountKey.self]      // in the handler
/// ```
public protocol RequestStorageKey {
    /// The type of the stored value.
    associatedtype Value: Sendable
}
