/// A refused handshake told as a WebSocket close, for clients that cannot read an HTTP answer
/// (browsers): with the query parameter `refusal=close` on the WebSocket url, a handshake the
/// server refuses for an application reason (origin, capacity, token, upgrade hook, client id)
/// upgrades and is at once closed with code `4000 + status` and the reason.
///
/// The default, `refusal=http` (or no parameter), answers every refusal with HTTP. Refusals of
/// the request's form (RFC 6455 headers, path, subprotocol, this parameter) are always HTTP.
enum RefusalByClose {
    /// The query parameter that chooses how a refusal is told.
    static let parameter = "refusal"
    /// The value that asks for a refusal as a close.
    static let close = "close"
    /// The value that asks for a refusal as an HTTP answer (the default).
    static let http = "http"
    /// The most bytes of a close reason (RFC 6455 §5.5: 125-byte payload less the 2-byte code).
    static let maxReasonBytes = 123

    /// Whether `request` asks for refusals as a close, or a 400 refusal for a value other than
    /// `close` or `http`.
    static func isRequested(by request: UpgradeRequest) -> Result<Bool, HandshakeRefusal> {
        switch request.query[parameter] {
        case nil, http: .success(false)
        case close: .success(true)
        case let other?:
            .failure(HandshakeRefusal(status: .badRequest, reason: "query parameter \(parameter)=\(other.prefix(32)) is not known; use \(parameter)=\(close) or \(parameter)=\(http)"))
        }
    }

    /// The close code that carries `status`: 4000 + the HTTP code (4401, 4403, 4503).
    static func closeCode(for status: Status) -> UInt16 {
        UInt16(4000 + status.code)
    }

    /// `reason` as a close reason: whole when it fits in ``maxReasonBytes`` bytes of UTF-8,
    /// otherwise cut at a character boundary and ended with `…`, within the bound.
    static func closeReason(_ reason: String) -> String {
        guard reason.utf8.count > maxReasonBytes else { return reason }
        let ellipsis = "…"
        var kept = ""
        var bytes = 0
        for character in reason {
            let size = character.utf8.count
            guard bytes + size + ellipsis.utf8.count <= maxReasonBytes else { break }
            kept.append(character)
            bytes += size
        }
        return kept + ellipsis
    }
}
