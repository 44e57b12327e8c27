import SwitchboardCore

/// Idempotency keys: how they are made, which requests need one, and how they ride in the url.
enum IdempotencyKey {
    /// The query item that carries the key (PROTOCOL.md, "Idempotency keys").
    static let queryName = "idempotencyKey"

    /// 128 random bits as 32 lower-case hex digits.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// `url` with `idempotencyKey=<key>` appended to its query, the key percent-encoded.
    static func url(_ url: String, key: String) -> String {
        let separator = url.contains("?") ? "&" : "?"
        return url + separator + queryName + "=" + PercentEncoding.encode(key)
    }
}

extension Method {
    /// Whether sending the request twice has the effect of sending it once (RFC 9110):
    /// GET, HEAD, PUT, DELETE and OPTIONS.
    var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete, .options: true
        case .post, .patch: false
        }
    }
}
