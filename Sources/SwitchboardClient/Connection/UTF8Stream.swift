/// Validates UTF-8 that arrives in pieces (the fragments of a text message), so invalid text is
/// caught at the first bad byte rather than once the message is complete (RFC 6455 §8.1).
struct UTF8Stream: Sendable {
    /// Continuation bytes the current character still needs.
    private var needed = 0
    /// The range the next continuation byte must fall in (narrower after E0, ED, F0 and F4, which
    /// rule out overlong forms, surrogates and code points above U+10FFFF).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// Whether everything fed so far ends on a character boundary.
    var isComplete: Bool { needed == 0 }

    /// Feeds `bytes`; `false` as soon as they cannot be part of valid UTF-8.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes {
            guard consume(byte) else { return false }
        }
        return true
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard needed == 0 else {
            guard byte >= lower, byte <= upper else { return false }
            needed -= 1
            (lower, upper) = (0x80, 0xBF)
            return true
        }
        switch byte {
        case 0x00...0x7F: return true
        case 0xC2...0xDF: needed = 1
        case 0xE0: (needed, lower) = (2, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: needed = 2
        case 0xED: (needed, upper) = (2, 0x9F)
        case 0xF0: (needed, lower) = (3, 0x90)
        case 0xF1...0xF3: needed = 3
        case 0xF4: (needed, upper) = (3, 0x8F)
        default: return false
        }
        return true
    }
}
