import SwitchboardCore

/// A frame to benchmark, with its encoded bytes.
struct WireSample: Sendable {
    /// Part of the benchmark names, e.g. `request-64B-url-9B`.
    let name: String
    let frame: Frame
    let bytes: [UInt8]

    init(name: String, frame: Frame) {
        self.name = name
        self.frame = frame
        do {
            self.bytes = try FrameCodec.encode(frame)
            // The decode benchmarks would measure an error path if this did not round-trip.
            let decoded = try FrameCodec.decode(bytes)
            precondition(decoded == frame, "\(name) does not round-trip")
        } catch {
            fatalError("\(name) does not encode: \(error)")
        }
    }

    /// Up to 15 UTF-8 bytes a Swift `String` is stored inline (no allocation); longer ones
    /// need a heap buffer. Each frame is measured with a url on either side of that line.
    static let shortURL = "/boards/7"                     // 9 bytes
    static let longURL = "/boards/7/cards/42/comments"    // 27 bytes
    static let room = "board:7"                           // 7 bytes

    static let requestBody = ArraySlice((0..<64).map { UInt8(truncatingIfNeeded: $0) })
    static let pushBody = ArraySlice((0..<4096).map { UInt8(truncatingIfNeeded: $0) })

    static let all: [WireSample] = [
        WireSample(
            name: "request-64B-url-9B",
            frame: .request(RequestFrame(method: .post, id: 17, url: shortURL, data: requestBody))
        ),
        WireSample(
            name: "request-64B-url-27B",
            frame: .request(RequestFrame(method: .post, id: 17, url: longURL, data: requestBody))
        ),
        WireSample(
            name: "push-4KiB-url-9B",
            frame: .push(PushFrame(url: shortURL, room: room, epoch: 3, offset: 1_234, data: pushBody))
        ),
        WireSample(
            name: "push-4KiB-url-27B",
            frame: .push(PushFrame(url: longURL, room: room, epoch: 3, offset: 1_234, data: pushBody))
        ),
    ]
}
