/// An error that knows the reply it should become when it escapes a handler, e.g.
/// ``RoomJoinRefusal`` → 403. ``HTTPError`` is one; any other error is a 500.
public protocol HTTPErrorConvertible: Error {
    /// The status and message to answer with.
    var httpError: HTTPError { get }
}

extension HTTPError: HTTPErrorConvertible {
    /// Itself.
    public var httpError: HTTPError { self }
}

extension RoomJoinRefusal: HTTPErrorConvertible {
    /// Its status (403, or 400 for an invalid name) with its description.
    public var httpError: HTTPError { HTTPError(status, description) }
}
