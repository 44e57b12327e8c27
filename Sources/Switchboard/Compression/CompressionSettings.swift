/// The permessage-deflate (RFC 7692) settings of a ``Server``; set them as
/// ``Configuration/compression`` to let clients negotiate compression at the handshake.
///
/// A client asks for it with `Sec-WebSocket-Extensions: permessage-deflate` (browsers always
/// do); the server accepts the first offer it can honour and answers with the parameters in
/// force. Messages of at least ``minimumMessageSize`` bytes are then sent compressed (RSV1
/// set), smaller ones as they are, and compressed messages from the client are inflated, up to
/// ``Configuration/maxMessageSize`` bytes inflated: a message that inflates beyond it closes
/// the connection with 1009 (message too big).
///
/// Memory: each compressing connection holds a deflate state of about
/// `2^(maxWindowBits + 2) + 2^(memoryLevel + 9)` bytes (256 KiB at the defaults) from its first
/// compressed message on, and an inflate state of about 44 KiB from the first compressed
/// message it receives. With ``serverNoContextTakeover`` the server's deflate state holds no
/// history between messages, and a push sent to many members with the same parameters is
/// compressed once and the same bytes are written to all of them.
public struct CompressionSettings: Sendable, Equatable {
    /// Messages shorter than this many bytes are sent uncompressed (RSV1 clear): compressing
    /// them saves little and costs CPU. Default 256.
    public var minimumMessageSize: Int = 256
    /// The zlib compression level, 1 (fastest) to 9 (smallest). Default 6.
    public var level: Int = 6
    /// The zlib memory level, 1 (least memory, slower, larger output) to 9. Default 8.
    public var memoryLevel: Int = 8
    /// The largest LZ77 window the server compresses with, as a power of two, 9 to 15. A
    /// client's `server_max_window_bits` lowers it further for its connection; an offer that
    /// asks for 8 is declined (zlib cannot compress with a 256-byte window). Default 15.
    public var maxWindowBits: Int = 15
    /// Compresses every message on its own, whatever the client asked (`server_no_context_takeover`
    /// in every answer): worse compression of similar consecutive messages, no history kept
    /// between messages, and pushes compressed once for all their recipients. Default `false`:
    /// the server keeps its history unless the client asks it not to.
    public var serverNoContextTakeover: Bool = false

    /// The default settings (see each property).
    public init() {}
}
