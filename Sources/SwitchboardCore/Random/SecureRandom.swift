import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Unguessable random values for identifiers and secrets (session ids, resume tokens, random
/// client ids, history epochs), drawn from the system's cryptographically secure generator.
///
/// The generator's bytes are fetched 4 KiB at a time and handed out in order, each byte once:
/// a new connection takes about 52 bytes (session id, resume token, random client id, an
/// epoch), so the system call that fills the buffer is made about once per 75 connections
/// instead of several times per connection. Thread-safe (one `Mutex`).
package enum SecureRandom {
    private struct Pool: ~Copyable {
        static let size = 4096
        var bytes = [UInt8](repeating: 0, count: Pool.size)
        /// The next unused byte; `size` when every byte was used.
        var next = Pool.size

        mutating func take(_ count: Int, into destination: UnsafeMutableRawBufferPointer) {
            var copied = 0
            while copied < count {
                if next == Pool.size { refill() }
                let chunk = min(count - copied, Pool.size - next)
                bytes.withUnsafeBytes { source in
                    let from = UnsafeRawBufferPointer(rebasing: source[next..<next + chunk])
                    UnsafeMutableRawBufferPointer(rebasing: destination[copied..<copied + chunk]).copyMemory(from: from)
                }
                // A byte handed out is not kept.
                bytes.withUnsafeMutableBytes { _ = UnsafeMutableRawBufferPointer(rebasing: $0[next..<next + chunk]).initializeMemory(as: UInt8.self, repeating: 0) }
                next += chunk
                copied += chunk
            }
        }

        #if !canImport(Darwin)
        /// The kernel's generator (`/dev/urandom`, the same as `getrandom`'s once it is
        /// seeded), open for the process's life; `nil` when it cannot be opened.
        static let device: Int32? = {
            let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            return descriptor >= 0 ? descriptor : nil
        }()
        #endif

        /// One system call for the whole pool (a short read is completed).
        private mutating func refill() {
            bytes.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                #if canImport(Darwin)
                arc4random_buf(base, buffer.count)
                #else
                var filled = 0
                if let device = Pool.device {
                    while filled < buffer.count {
                        let count = read(device, base + filled, buffer.count - filled)
                        if count > 0 {
                            filled += count
                        } else if count == 0 || errno != EINTR {
                            break
                        }
                    }
                }
                // Without the device: the standard library's generator, eight bytes at a time.
                var generator = SystemRandomNumberGenerator()
                while filled < buffer.count {
                    let chunk = min(8, buffer.count - filled)
                    withUnsafeBytes(of: generator.next() as UInt64) { word in
                        UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + chunk]).copyMemory(from: UnsafeRawBufferPointer(rebasing: word[0..<chunk]))
                    }
                    filled += chunk
                }
                #endif
            }
            next = 0
        }
    }

    private static let pool = Mutex(Pool())

    /// A random `UInt64`.
    package static func next() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { destination in
            pool.withLock { $0.take(8, into: destination) }
        }
        return value
    }

    /// A random non-zero `UInt32`: a new history's epoch.
    package static func nonZeroUInt32() -> UInt32 {
        while true {
            let value = UInt32(truncatingIfNeeded: next())
            if value != 0 { return value }
        }
    }

    /// 128 random bits.
    package static func bits128() -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { destination in
            pool.withLock { $0.take(16, into: destination) }
        }
        return words
    }

    /// 128 random bits as 32 lowercase hex digits, `prefix` before them.
    package static func hex128(prefix: StaticString = "") -> String {
        hex(bits128(), prefix: prefix)
    }

    /// `words` as 32 lowercase hex digits (the first word first, most significant digit
    /// first), `prefix` before them.
    package static func hex(_ words: (UInt64, UInt64), prefix: StaticString = "") -> String {
        let prefixCount = prefix.utf8CodeUnitCount
        return String(unsafeUninitializedCapacity: prefixCount + 32) { digits in
            prefix.withUTF8Buffer { head in
                for index in 0..<prefixCount { digits[index] = head[index] }
            }
            for index in 0..<32 {
                let word = index < 16 ? words.0 : words.1
                let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * (index % 16))) & 0xF
                digits[prefixCount + index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return prefixCount + 32
        }
    }
}
