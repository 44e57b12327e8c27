import SwitchboardCore

/// libFuzzer entry: one input is one WebSocket message's bytes given to the frame decoder.
///
/// The decoder must answer every input with a frame or a `FrameError`, never trap; a frame it
/// accepts must encode back to exactly the input bytes, and render as text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let frame: Frame
    do {
        frame = try FrameCodec.decode(bytes)
    } catch {
        precondition(!error.description.isEmpty, "a FrameError without a description")
        return 0
    }
    let encoded: [UInt8]
    do {
        encoded = try FrameCodec.encode(frame)
    } catch {
        preconditionFailure("a decoded frame does not encode: \(error); input \(bytes)")
    }
    precondition(encoded == bytes, "decode then encode changed the bytes: \(bytes) -> \(encoded)")
    precondition(FrameCodec.encodedSize(of: frame) == bytes.count, "encodedSize disagrees with the encoding")
    _ = String(describing: frame)
    return 0
}
