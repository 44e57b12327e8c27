/// Where the wire writers (``FrameCodec``) put bytes: a growable buffer appended to at its end.
///
/// `[UInt8]` is one; the server makes NIO's `ByteBuffer` one, so replies and batches are
/// encoded straight into the buffer that goes to the socket. Every wire layout is written once,
/// over this protocol.
public protocol ByteSink {
    /// Appends one byte.
    mutating func appendWireByte(_ byte: UInt8)
    /// Appends the bytes in `bytes`.
    mutating func appendWireBytes(_ bytes: UnsafeRawBufferPointer)
    /// Makes room for at least `count` more bytes (a hint).
    mutating func reserveWireCapacity(_ count: Int)
}

extension ByteSink {
    /// Appends the low `size` bytes of `value`, most significant first.
    @inlinable
    public mutating func appendBigEndian(_ value: UInt64, size: Int) {
        withUnsafeBytes(of: value.bigEndian) { appendWireBytes(UnsafeRawBufferPointer(rebasing: $0.suffix(size))) }
    }

    /// Appends the bytes of `bytes`.
    @inlinable
    public mutating func appendWireBytes(contentsOf bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { appendWireBytes($0) }
    }

    /// Appends the bytes of `bytes`.
    @inlinable
    public mutating func appendWireBytes(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendWireBytes($0) }
    }

    /// Appends the UTF-8 bytes of `text`.
    @inlinable
    public mutating func appendWireText(_ text: String) {
        var text = text
        text.withUTF8 { appendWireBytes(UnsafeRawBufferPointer($0)) }
    }
}

extension Array: ByteSink where Element == UInt8 {
    /// Appends one byte.
    @inlinable
    public mutating func appendWireByte(_ byte: UInt8) { append(byte) }

    /// Appends the bytes in `bytes`.
    @inlinable
    public mutating func appendWireBytes(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }

    /// Makes room for at least `count` more bytes.
    @inlinable
    public mutating func reserveWireCapacity(_ count: Int) { reserveCapacity(self.count + count) }
}
