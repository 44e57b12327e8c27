/// RFC 6455's rule for the body of a peer's close frame (§5.5.1, §7.4), shared by the server
/// and the client: which code to answer it with.
public enum CloseFrameRule {
    /// The code to echo in the reply to a close frame whose body is `body`: the peer's code when
    /// valid, 1000 when it sent none, 1002 when the body is malformed (a one-byte body, a code
    /// that may not be sent, or a reason that is not UTF-8).
    public static func replyCode(forBody body: some Collection<UInt8>) -> UInt16 {
        guard !body.isEmpty else { return 1000 }
        guard body.count >= 2 else { return 1002 }
        let code = UInt16(body[body.startIndex]) << 8 | UInt16(body[body.index(after: body.startIndex)])
        guard isValidCode(code) else { return 1002 }
        guard String(validating: body.dropFirst(2), as: UTF8.self) != nil else { return 1002 }
        return code
    }

    /// Whether `code` may appear in a close frame (§7.4.1, §7.4.2 and the IANA registry).
    public static func isValidCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }
}
