/// A server under test: accepts the members' WebSocket connections, puts them in one room,
/// and broadcasts pushes to it on command.
protocol FanoutServer: Sendable {
    /// Starts listening on 127.0.0.1 and returns the port.
    func start() async throws -> Int
    /// The number of open WebSocket connections.
    var connectionCount: Int { get }
    /// Puts every open connection in the room; returns the room's member count.
    func prepare() -> Int
    /// Broadcasts `count` pushes of class `delivery` to the room, back to back, from the
    /// calling thread (the bare server has no classes and ignores it).
    func broadcast(count: Int, delivery: FanoutDelivery) throws -> BroadcastAccount
    /// Stops serving.
    func stop() async
}

/// What the server did for a number of broadcasts, counted where the bytes are produced.
struct BroadcastAccount: Sendable {
    /// Broadcasts done.
    var broadcasts = 0
    /// Recipients written to, over all broadcasts.
    var recipients = 0
    /// Frames encoded (Switchboard: `PushDelivery`s handed to the transport, each the outcome
    /// of one `FrameCodec` encode; bare: 0, its frame is encoded once at start).
    var encodings = 0
    /// Bytes of the encoded frames, over all broadcasts.
    var bytesEncoded = 0
    /// The size of one push frame (`FrameCodec.encodedSize`).
    var frameSize = 0

    /// The line the server prints after a `broadcast` command.
    var line: String {
        "sent \(broadcasts) recipients=\(recipients) encodings=\(encodings) bytes=\(bytesEncoded) frame=\(frameSize)"
    }

    /// Parses ``line``.
    init?(line: String) {
        let parts = line.split(separator: " ")
        guard parts.count == 6, parts[0] == "sent", let broadcasts = Int(parts[1]) else { return nil }
        var values: [Substring: Int] = [:]
        for part in parts.dropFirst(2) {
            let pair = part.split(separator: "=")
            guard pair.count == 2, let value = Int(pair[1]) else { return nil }
            values[pair[0]] = value
        }
        guard let recipients = values["recipients"], let encodings = values["encodings"],
              let bytes = values["bytes"], let frame = values["frame"] else { return nil }
        self.init(broadcasts: broadcasts, recipients: recipients, encodings: encodings, bytesEncoded: bytes, frameSize: frame)
    }

    init(broadcasts: Int = 0, recipients: Int = 0, encodings: Int = 0, bytesEncoded: Int = 0, frameSize: Int = 0) {
        self.broadcasts = broadcasts
        self.recipients = recipients
        self.encodings = encodings
        self.bytesEncoded = bytesEncoded
        self.frameSize = frameSize
    }
}
