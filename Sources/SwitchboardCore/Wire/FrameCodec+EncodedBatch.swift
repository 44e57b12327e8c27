extension FrameCodec {
    /// A batch frame made of frames that are already encoded, without decoding or
    /// re-encoding them: `0x30 0x00`, the count (u32), then each frame's length (u32) and bytes.
    /// A frame that is itself a batch contributes its inner frames (batches do not nest).
    public static func batch(ofEncoded frames: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames.reduce(batchSchema.fixedSize) { $0 + batchEntrySize($1) })
        appendBatchHeader(count: frames.reduce(0) { $0 + batchedFrameCount($1) }, to: &out)
        for frame in frames {
            frame.withUnsafeBytes { appendBatchEntry($0, to: &out) }
        }
        return out
    }

    /// Whether encoded bytes are a batch frame (kind byte `0x30` and a complete header).
    public static func isBatch<Bytes: Collection<UInt8>>(_ frame: Bytes) -> Bool {
        frame.count >= batchSchema.fixedSize && frame.first == FrameKind.batch.byte
    }

    /// How many frames an encoded frame adds to a batch: its count for a batch, else 1.
    public static func batchedFrameCount<Bytes: Collection<UInt8>>(_ frame: Bytes) -> Int {
        guard isBatch(frame) else { return 1 }
        return frame.dropFirst(2).prefix(4).reduce(0) { $0 << 8 | Int($1) }
    }
}
