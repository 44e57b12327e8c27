/// Decides a connection's effective client id, the key of its `client-<id>` room, so that no
/// connection can take another user's client id (and receive its pushes).
///
/// - Authenticated: `<userId>.<clientId>`, both parts escaped (below) so that two different
///   pairs never give the same id: `alice.tab1`. Without a `clientId` query parameter the
///   second part is random: `alice.~3f9c…` (32 hex digits).
/// - Anonymous: the requested id is ignored; the id is random and unguessable: `~3f9c…`
///   (a `~` and 32 hex digits, 128 random bits).
/// - An upgrade hook that returns a `clientId` decides it: that id is used as given.
///
/// Escaping: in the user id every byte outside `A-Z a-z 0-9 - _` becomes `%XX` (so it holds no
/// `.`); in the requested id the same, `.` also kept. A random part starts with `~`, which an
/// escaped part never holds, so a random id never equals a requested one. The server tells the
/// client its id in the `Switchboard-Client-Id` header of the 101 answer.
enum ClientIdAssignment {
    /// The response header that tells the client its effective client id.
    static let header = "Switchboard-Client-Id"

    /// The effective client id, or a 400 refusal when its client room name would not be a valid
    /// room name (more than 255 bytes, or a hook's id with bytes outside `!`…`~` or a `|`).
    static func clientId(requested: String?, identity: Identity?, decidedByHook: String?) -> Result<String, HandshakeRefusal> {
        let clientId: String
        if let decidedByHook {
            clientId = decidedByHook
        } else if let userId = identity?.userId {
            let second = requested.flatMap { $0.isEmpty ? nil : escape($0, keepingDots: true) } ?? randomPart()
            clientId = escape(userId, keepingDots: false) + "." + second
        } else {
            clientId = randomPart()
        }
        guard RoomName.client(clientId).isValid else {
            return .failure(HandshakeRefusal(status: .badRequest, reason: "clientId cannot name a room: the client room client-\(clientId.prefix(64))… must be at most 255 bytes of '!'...'~' without '|'"))
        }
        return .success(clientId)
    }

    /// `~` and 32 random lowercase hex digits.
    static func randomPart() -> String {
        SecureRandom.hex128(prefix: "~")
    }

    private static let hexDigits = Array("0123456789ABCDEF".unicodeScalars)

    private static func escape(_ text: String, keepingDots: Bool) -> String {
        var out = String.UnicodeScalarView()
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                out.append(Unicode.Scalar(byte))
            case UInt8(ascii: ".") where keepingDots:
                out.append(Unicode.Scalar(byte))
            default:
                out.append("%")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(out)
    }
}
