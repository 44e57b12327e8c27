import NIOCore

extension ByteBuffer: ByteSink {
    /// Writes one byte at the writer index.
    public mutating func appendWireByte(_ byte: UInt8) {
        writeInteger(byte)
    }

    /// Writes `bytes` at the writer index.
    public mutating func appendWireBytes(_ bytes: UnsafeRawBufferPointer) {
        writeBytes(bytes)
    }

    /// Makes room for at least `count` more bytes.
    public mutating func reserveWireCapacity(_ count: Int) {
        reserveCapacity(minimumWritableBytes: count)
    }
}
