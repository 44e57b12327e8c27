extension FrameCodec {
    /// A batch frame made of frames that are already encoded, without decoding or
    /// re-encoding them: `0x30 0x00`, the count (u32), then each frame's length (u32) and bytes.
    public static func batch(ofEncoded frames: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames.reduce(batchSchema.fixedSize) { $0 + 4 + $1.count })
        out.append(FrameKind.batch.byte)
        out.append(0)
        Schema.appendBigEndian(UInt64(frames.count), size: 4, to: &out)
        for frame in frames {
            Schema.appendBigEndian(UInt64(frame.count), size: 4, to: &out)
            out.append(contentsOf: frame)
        }
        return out
    }
}
