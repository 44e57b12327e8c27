/// Continues a middleware chain: `try await next()` runs the rest of the chain (later
/// middleware and the handler) and returns when it has returned, or throws what it threw.
///
/// Call it at most once. Not calling it stops the chain; answer with the response then.
public struct Next: Sendable {
    private let rest: @Sendable () async throws -> Void

    init(_ rest: @escaping @Sendable () async throws -> Void) { self.rest = rest }

    /// Runs the rest of the chain.
    public func callAsFunction() async throws { try await rest() }
}
