extension FrameCodec {
    /// Writes a room's epoch and offset into an encoded push frame, in place: bytes 2…5 and
    /// 6…13 of the header (PROTOCOL.md §2). Lets a push be encoded before its offset is known
    /// and still be encoded once.
    public static func setPushPosition(epoch: UInt32, offset: UInt64, in frame: inout [UInt8]) {
        guard frame.count >= pushSchema.fixedSize, frame.first == FrameKind.push.byte else { return }
        for index in 0..<4 { frame[2 + index] = UInt8(truncatingIfNeeded: epoch >> (8 * (3 - index))) }
        for index in 0..<8 { frame[6 + index] = UInt8(truncatingIfNeeded: offset >> (8 * (7 - index))) }
    }
}
