/// The request body or reply of a typed ``Route`` that has none. As a `Body`, the router does
/// not read the request body at all (any body is accepted); as an `Output` it encodes as `{}`.
public struct Empty: Codable, Sendable, Hashable {
    /// The empty value.
    public init() {}
}
