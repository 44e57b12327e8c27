import SwitchboardCore

/// libFuzzer entry: one input is one WebSocket message's bytes given to the batch decoder
/// (`FrameCodec.decodeBatch`), which splits a batch into inner frames decoded one by one.
///
/// Checked for every input: no trap; every entry's bytes lie inside the input, in order, each
/// after its 4-byte length; when the batch is whole and every entry decodes, `FrameCodec.decode`
/// returns the same frames, they encode back to the input, and so does rebuilding the batch
/// from the entries' bytes; when `FrameCodec.decode` accepts the input, the batch is whole.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let contents: BatchContents
    do {
        contents = try FrameCodec.decodeBatch(bytes[...])
    } catch {
        precondition(!error.description.isEmpty, "a FrameError without a description")
        return 0
    }
    var expectedStart = FrameCodec.batchSchema.fixedSize
    for entry in contents.entries {
        precondition(entry.bytes.startIndex == expectedStart + 4, "an entry does not follow its length prefix")
        precondition(entry.bytes.endIndex <= bytes.count, "an entry runs past the input")
        expectedStart = entry.bytes.endIndex
    }
    let isWhole = contents.problem == nil
    let isBatchKind = bytes.first == FrameKind.batch.byte
    if isWhole {
        precondition(expectedStart == bytes.count, "a whole batch leaves bytes after its last entry")
    }
    // Rebuilding flattens inner batches, so it gives the input back only when none is nested.
    if isWhole && isBatchKind && !contents.entries.contains(where: { FrameCodec.isBatch($0.bytes) }) {
        precondition(FrameCodec.batchedFrameCount(bytes) == contents.entries.count, "batchedFrameCount disagrees with the entries")
        precondition(FrameCodec.batch(ofEncoded: contents.entries.map { Array($0.bytes) }) == bytes, "rebuilding the batch changed the bytes")
    }
    var decodable: [Frame] = []
    for entry in contents.entries {
        if case .success(let frame) = entry.frame { decodable.append(frame) }
    }
    let decoded = try? FrameCodec.decode(bytes)
    if isWhole && isBatchKind && decodable.count == contents.entries.count {
        guard case .batch(let frames) = decoded else {
            preconditionFailure("a whole batch of decodable frames does not decode: \(bytes)")
        }
        precondition(frames == decodable, "decode and decodeBatch disagree")
        precondition((try? FrameCodec.encode(.batch(frames))) == bytes, "the batch does not encode back to its bytes")
    }
    if case .batch = decoded {
        precondition(isWhole && decodable.count == contents.entries.count, "decode accepted a batch that decodeBatch found broken")
    }
    return 0
}
