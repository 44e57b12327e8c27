/// An HTTP status code as carried in one byte of a response or error frame.
///
/// The byte is `class << 5 | detail` for a code `class * 100 + detail`, with `class` 1…5 and
/// `detail` 0…31: 200 is `0x40`, 404 is `0x84`, 500 is `0xA0`. Every common HTTP status fits;
/// codes whose last two digits exceed 31 (e.g. 451) have no byte. Byte `0x00` means "no status"
/// (requests, pushes) and is not a `Status`. See PROTOCOL.md, "Status byte".
public struct Status: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The HTTP status code, e.g. 404.
    public let code: Int

    /// The status with HTTP code `code`, or `nil` when the code has no status byte.
    public init?(code: Int) {
        guard (100...599).contains(code), code % 100 < 32 else { return nil }
        self.code = code
    }

    /// The status that `byte` encodes, or `nil` for `0x00` and bytes whose class is not 1…5.
    public init?(wireByte byte: UInt8) {
        let statusClass = Int(byte >> 5)
        guard (1...5).contains(statusClass) else { return nil }
        self.code = statusClass * 100 + Int(byte & 0x1F)
    }

    private init(known code: Int) { self.code = code }

    /// The byte that carries this status on the wire.
    public var wireByte: UInt8 { UInt8(code / 100) << 5 | UInt8(code % 100) }

    /// Whether the code is 200…299.
    public var isSuccess: Bool { (200..<300).contains(code) }

    public var description: String { String(code) }

    public static func < (lhs: Status, rhs: Status) -> Bool { lhs.code < rhs.code }

    /// 200 OK.
    public static let ok = Status(known: 200)
    /// 201 Created.
    public static let created = Status(known: 201)
    /// 202 Accepted.
    public static let accepted = Status(known: 202)
    /// 204 No Content.
    public static let noContent = Status(known: 204)
    /// 304 Not Modified.
    public static let notModified = Status(known: 304)
    /// 400 Bad Request: the frame or its contents are malformed.
    public static let badRequest = Status(known: 400)
    /// 401 Unauthorized: credentials missing, invalid or expired.
    public static let unauthorized = Status(known: 401)
    /// 403 Forbidden: authenticated, but not allowed.
    public static let forbidden = Status(known: 403)
    /// 404 Not Found: no route matches the path.
    public static let notFound = Status(known: 404)
    /// 405 Method Not Allowed: the path matches, the method does not.
    public static let methodNotAllowed = Status(known: 405)
    /// 408 Request Timeout.
    public static let requestTimeout = Status(known: 408)
    /// 409 Conflict.
    public static let conflict = Status(known: 409)
    /// 410 Gone.
    public static let gone = Status(known: 410)
    /// 413 Content Too Large.
    public static let contentTooLarge = Status(known: 413)
    /// 422 Unprocessable Content.
    public static let unprocessableContent = Status(known: 422)
    /// 429 Too Many Requests: e.g. the in-flight request limit is reached.
    public static let tooManyRequests = Status(known: 429)
    /// 500 Internal Server Error.
    public static let internalServerError = Status(known: 500)
    /// 501 Not Implemented.
    public static let notImplemented = Status(known: 501)
    /// 502 Bad Gateway.
    public static let badGateway = Status(known: 502)
    /// 503 Service Unavailable.
    public static let serviceUnavailable = Status(known: 503)
    /// 504 Gateway Timeout: the handler did not answer before its deadline.
    public static let gatewayTimeout = Status(known: 504)
}
