import NIOCore
import Synchronization

/// The last few messages compressed without context takeover, shared by every connection of
/// a server: a push written to many members is compressed by the first of them and the same
/// compressed bytes are written to the others.
///
/// Without context takeover a message compresses to the same bytes for the same window (level
/// and memory level are the server's), so an entry is reused only for a payload equal byte
/// for byte to the one it was made from.
package final class SharedDeflateCache: Sendable {
    private struct Entry {
        var payload: ByteBuffer
        var windowBits: Int
        var compressed: ByteBuffer
    }

    /// How many compressed messages are kept.
    package static let capacity = 8

    /// An empty cache.
    package init() {}

    private let state = Mutex<(entries: [Entry], next: Int, compressions: Int)>(([], 0, 0))

    /// The compressed bytes of `payload` for `windowBits`, when one of the last messages.
    package func compressed(_ payload: ByteBuffer, windowBits: Int) -> ByteBuffer? {
        state.withLock { state in
            state.entries.first { $0.windowBits == windowBits && $0.payload == payload }?.compressed
        }
    }

    /// Keeps `compressed` as the compressed bytes of `payload`, in place of the oldest entry.
    package func store(_ compressed: ByteBuffer, for payload: ByteBuffer, windowBits: Int) {
        let entry = Entry(payload: payload, windowBits: windowBits, compressed: compressed)
        state.withLock { state in
            state.compressions += 1
            if state.entries.count < Self.capacity {
                state.entries.append(entry)
            } else {
                state.entries[state.next] = entry
                state.next = (state.next + 1) % Self.capacity
            }
        }
    }

    /// How many messages were compressed into the cache since the server started.
    package var compressions: Int { state.withLock { $0.compressions } }
}
