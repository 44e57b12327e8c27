/// permessage-deflate (RFC 7692) for a ``SwitchboardClient``; set it as
/// ``ClientConfiguration/compression`` to offer compression at every handshake.
///
/// The client offers `permessage-deflate` with the parameters below; when the server accepts,
/// messages of at least ``minimumMessageSize`` bytes are sent compressed (RSV1 set), and the
/// server's compressed messages are inflated, up to ``ClientConfiguration/maxMessageSize``
/// bytes inflated: a message that inflates beyond it fails the connection with 1009 (message
/// too big), and one that is not valid DEFLATE data with 1007; the ``ReconnectPolicy`` then
/// applies. When the server answers without the extension, nothing is compressed.
///
/// An answer the client cannot accept fails the connection with a close frame and
/// ``SwitchboardClientError/connectionFailed(_:)`` (the reconnect policy applies): 1002 for an
/// extension that was not offered, more than one, an unknown, repeated or invalid parameter,
/// or a window above the one offered or asked for; 1010 when the answer lacks
/// `server_no_context_takeover` or `server_max_window_bits` that were asked for.
///
/// Memory: the client's deflate state takes about `2^(clientMaxWindowBits + 2) +
/// 2^(memoryLevel + 9)` bytes (256 KiB at the defaults) from its first compressed message on,
/// its inflate state about 44 KiB from the first compressed message it receives.
public struct ClientCompressionSettings: Sendable, Equatable {
    /// Messages shorter than this many bytes are sent uncompressed. Default 256.
    public var minimumMessageSize: Int = 256
    /// The zlib compression level, 1 (fastest) to 9 (smallest). Default 6.
    public var level: Int = 6
    /// The zlib memory level, 1 (least memory, slower, larger output) to 9. Default 8.
    public var memoryLevel: Int = 8
    /// The largest window the client compresses with, as a power of two, 9 to 15 (clamped),
    /// offered as `client_max_window_bits`; the server may lower it (to 8: the client then
    /// sends nothing compressed, as zlib cannot compress with a 256-byte window). Default 15.
    public var clientMaxWindowBits: Int = 15
    /// Offers `client_no_context_takeover`: the client compresses every message on its own
    /// (worse compression of similar messages, no history kept between them). The server may
    /// ask for it even when not offered. Default `false`.
    public var clientNoContextTakeover: Bool = false
    /// Asks the server for `server_no_context_takeover` (every message it sends compressed on
    /// its own). Default `false`.
    public var serverNoContextTakeover: Bool = false
    /// Asks the server to compress with at most this window, 9 to 15 (clamped), as
    /// `server_max_window_bits`. Default `nil`: not asked.
    public var serverMaxWindowBits: Int? = nil

    /// The default settings (see each property).
    public init() {}
}
