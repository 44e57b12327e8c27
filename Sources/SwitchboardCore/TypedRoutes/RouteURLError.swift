/// Why a url could not be built from a pattern (``Route/url(params:query:)``,
/// ``PushEvent/url(params:)``).
public enum RouteURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pattern has a parameter (`:name`, `*` or `**`) that `params` does not give.
    case missingParameter(String)
    /// A value for a one-segment parameter is empty.
    case emptyParameter(String)

    /// What is missing, in words.
    public var description: String {
        switch self {
        case .missingParameter(let name): "no value for route parameter '\(name)'"
        case .emptyParameter(let name): "the value of route parameter '\(name)' is empty"
        }
    }
}
