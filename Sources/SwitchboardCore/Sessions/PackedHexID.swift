/// A session id or resume token as the registry keeps it: 32 lowercase hex digits are kept as
/// their 128 bits (16 bytes inline, no string storage per open connection); any other text is
/// kept as it is. Two values are equal exactly when their texts are.
enum PackedHexID: Hashable, Sendable {
    case bits(UInt64, UInt64)
    case text(String)

    /// 128 new random bits.
    static func random() -> PackedHexID {
        let (high, low) = SecureRandom.bits128()
        return .bits(high, low)
    }

    /// `text`, packed when it is 32 lowercase hex digits.
    init(_ text: String) {
        guard text.utf8.count == 32 else {
            self = .text(text)
            return
        }
        var words: (UInt64, UInt64) = (0, 0)
        for (index, byte) in text.utf8.enumerated() {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default:
                self = .text(text)
                return
            }
            if index < 16 {
                words.0 = words.0 << 4 | UInt64(nibble)
            } else {
                words.1 = words.1 << 4 | UInt64(nibble)
            }
        }
        self = .bits(words.0, words.1)
    }

    /// The text: 32 lowercase hex digits for packed bits.
    var text: String {
        switch self {
        case .bits(let high, let low): SecureRandom.hex((high, low))
        case .text(let text): text
        }
    }
}
