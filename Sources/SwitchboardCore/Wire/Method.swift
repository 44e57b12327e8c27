/// A request method, as carried in the first byte of a request frame.
public enum Method: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Reads a resource.
    case get = 0x01
    /// Creates a resource or runs an action.
    case post = 0x02
    /// Replaces a resource.
    case put = 0x03
    /// Updates part of a resource.
    case patch = 0x04
    /// Deletes a resource.
    case delete = 0x05
    /// Like GET, answered without a body.
    case head = 0x06
    /// Asks which methods a path allows.
    case options = 0x07

    /// The upper-case name, e.g. `GET`.
    public var description: String {
        switch self {
        case .get: "GET"
        case .post: "POST"
        case .put: "PUT"
        case .patch: "PATCH"
        case .delete: "DELETE"
        case .head: "HEAD"
        case .options: "OPTIONS"
        }
    }

    /// The method named `name` (case-sensitive upper case, as in HTTP), or `nil`.
    public init?(name: String) {
        guard let method = Method.allCases.first(where: { $0.description == name }) else { return nil }
        self = method
    }
}
