/// A batch message's inner frames, each decoded on its own, so a receiver can process the
/// readable ones and answer each unreadable one separately (PROTOCOL.md §6).
public struct BatchContents: Sendable {
    /// One inner frame: its bytes and what decoding them gave.
    public struct Entry: Sendable {
        /// The inner frame's bytes (without its length prefix).
        public var bytes: ArraySlice<UInt8>
        /// The frame, or why it could not be decoded (``FrameError/nestedBatch`` for a batch).
        public var frame: Result<Frame, FrameError>
    }

    /// The inner frames whose length prefix could be read, in order.
    public var entries: [Entry]
    /// Why the batch is not whole: ``FrameError/batchTruncated(index:)`` when a length runs
    /// past the end of the message (the frames from that index on are unreadable), else
    /// ``FrameError/batchCountMismatch(declared:found:)`` when the count in the header is
    /// wrong; `nil` for a whole batch.
    public var problem: FrameError?
}

extension FrameCodec {
    /// Splits a batch message into its inner frames and decodes each on its own.
    /// - Throws: ``FrameError`` when the batch's own header is unreadable (too short, or a
    ///   non-zero status byte).
    public static func decodeBatch(_ bytes: ArraySlice<UInt8>) throws(FrameError) -> BatchContents {
        let schema = batchSchema
        guard bytes.count >= schema.fixedSize else {
            throw .truncatedHeader(kind: "BATCH", needed: schema.fixedSize, available: bytes.count)
        }
        let status = bytes[bytes.startIndex + 1]
        if status != 0 { throw .unexpectedStatus(kind: "BATCH", byte: status) }
        let declared = Int(schema.read(2, in: bytes))
        var contents = BatchContents(entries: [], problem: nil)
        contents.entries.reserveCapacity(min(declared, bytes.count / 8))
        var index = bytes.startIndex + schema.fixedSize
        while index < bytes.endIndex {
            let remaining = bytes.endIndex - index
            var length = Int.max
            if remaining >= 4 {
                length = 0
                for position in index..<(index + 4) { length = length << 8 | Int(bytes[position]) }
            }
            guard remaining - 4 >= length else {
                contents.problem = .batchTruncated(index: contents.entries.count)
                return contents
            }
            index += 4
            let inner = bytes[index..<(index + length)]
            let frame: Result<Frame, FrameError> =
                if inner.first == FrameKind.batch.byte {
                    .failure(.nestedBatch)
                } else {
                    Result { () throws(FrameError) -> Frame in try decode(inner) }
                }
            contents.entries.append(BatchContents.Entry(bytes: inner, frame: frame))
            index += length
        }
        if contents.entries.count != declared {
            contents.problem = .batchCountMismatch(declared: declared, found: contents.entries.count)
        }
        return contents
    }
}
