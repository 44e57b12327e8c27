extension Frame: CustomStringConvertible {
    /// One line for logs, e.g. `GET #17 /boards/7 (42 bytes)`; PROTOCOL.md lists every form.
    public var description: String {
        switch self {
        case .request(let f): "\(f.method) #\(f.id) \(f.url) (\(f.data.count) bytes)"
        case .response(let f): "RESPONSE #\(f.id) \(f.status)\(f.url.isEmpty ? "" : " " + f.url) (\(f.data.count) bytes)"
        case .error(let f): "ERROR #\(f.id) \(f.status)\(f.url.isEmpty ? "" : " " + f.url) (\(f.data.count) bytes)"
        case .message(let f): "MESSAGE #\(f.id) \(f.url) (\(f.data.count) bytes)"
        case .control(let f): "\(f.kind) #\(f.id)\(f.url.isEmpty ? "" : " " + f.url) (\(f.data.count) bytes)"
        case .push(let f): "PUSH \(f.url) \(f.room.isEmpty ? "-" : f.room)@\(f.epoch):\(f.offset) (\(f.data.count) bytes)"
        case .ack(let f): "ACK \(f.room)@\(f.epoch):\(f.offset)"
        case .batch(let frames): "BATCH \(frames.count) frame\(frames.count == 1 ? "" : "s")"
        }
    }
}
