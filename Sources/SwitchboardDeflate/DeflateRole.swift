/// Which end of a WebSocket connection a ``PerMessageDeflateHandler`` serves: it decides
/// which negotiated parameters apply to its own compressor and which to the peer's, and which
/// frames carry a masking key.
package enum DeflateRole: Sendable, Equatable {
    /// The server: frames from the peer are masked, its own are not.
    case server
    /// The client: its own frames are masked, the server's are not.
    case client
}
