/// The route ``Router/match(_:_:)`` found for a method and url.
public struct RouteMatch: Sendable {
    /// The route's pattern, e.g. `/repos/:owner/:repo`, with any mount and group prefixes.
    public let pattern: String
    /// The method it was registered for; `nil` for an `all` route.
    public let method: Method?
    /// The values of the pattern's parameters, percent-decoded when read.
    public let parameters: Parameters
}
