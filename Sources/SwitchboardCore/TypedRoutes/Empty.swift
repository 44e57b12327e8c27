/// The input or output of a typed ``Route`` that has none: decodes from an empty body (or any
/// JSON object) and encodes as `{}`.
public struct Empty: Codable, Sendable, Hashable {
    /// The empty value.
    public init() {}
}
