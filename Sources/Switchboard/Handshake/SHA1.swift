/// SHA-1 (FIPS 180-4), for the one thing RFC 6455 asks of it: the `Sec-WebSocket-Accept` value
/// of an upgrade (``SwitchingProtocols``). Not for anything that needs a secure hash.
enum SHA1 {
    /// The 20-byte digest of `message`.
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        // The message, 0x80, zeros, then its length in bits (8 bytes): whole 64-byte blocks.
        let length = message.count
        let paddedLength = (length + 8) / 64 * 64 + 64
        let bitLength = UInt64(length) &* 8
        func paddedByte(_ index: Int) -> UInt8 {
            if index < length { return message[index] }
            if index == length { return 0x80 }
            let fromEnd = paddedLength - 1 - index
            return fromEnd < 8 ? UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * fromEnd)) : 0
        }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { words in
            for block in stride(from: 0, to: paddedLength, by: 64) {
                for index in 0..<16 {
                    let offset = block + index * 4
                    words[index] = UInt32(paddedByte(offset)) << 24 | UInt32(paddedByte(offset + 1)) << 16 | UInt32(paddedByte(offset + 2)) << 8
                        | UInt32(paddedByte(offset + 3))
                }
                for index in 16..<80 { words[index] = rotate(words[index - 3] ^ words[index - 8] ^ words[index - 14] ^ words[index - 16], 1) }
                var (a, b, c, d, e) = state
                for index in 0..<80 {
                    let (f, k): (UInt32, UInt32)
                    switch index {
                    case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
                    case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                    case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                    default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                    }
                    let next = rotate(a, 5) &+ f &+ e &+ k &+ words[index]
                    (e, d, c, b, a) = (d, c, rotate(b, 30), a, next)
                }
                state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e)
            }
        }
        var digest: [UInt8] = []
        digest.reserveCapacity(20)
        for word in [state.0, state.1, state.2, state.3, state.4] {
            for shift in stride(from: 24, through: 0, by: -8) { digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        return digest
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
        value << count | value >> (32 - count)
    }
}
