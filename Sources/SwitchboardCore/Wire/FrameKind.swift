/// The first byte of every frame: which kind of frame it is (for requests, the method).
public enum FrameKind: Sendable, Hashable, CustomStringConvertible {
    /// A request with its method (bytes `0x01`…`0x07`).
    case request(Method)
    /// A response to a request (`0x10`).
    case response
    /// A protocol-level error (`0x11`).
    case error
    /// A one-way server-to-client push (`0x20`).
    case push
    /// A one-way client-to-server message (`0x21`).
    case message
    /// A client's acknowledgement of pushes up to an offset (`0x22`).
    case ack
    /// Several frames in one WebSocket message (`0x30`).
    case batch
    /// Reserved control frames (`0x40`…`0x43`).
    case control(ControlKind)

    /// The kind that `byte` names, or `nil` for an unknown byte.
    public init?(byte: UInt8) {
        switch byte {
        case 0x10: self = .response
        case 0x11: self = .error
        case 0x20: self = .push
        case 0x21: self = .message
        case 0x22: self = .ack
        case 0x30: self = .batch
        default:
            if let method = Method(rawValue: byte) {
                self = .request(method)
            } else if let control = ControlKind(rawValue: byte) {
                self = .control(control)
            } else {
                return nil
            }
        }
    }

    /// The byte that carries this kind.
    public var byte: UInt8 {
        switch self {
        case .request(let method): method.rawValue
        case .response: 0x10
        case .error: 0x11
        case .push: 0x20
        case .message: 0x21
        case .ack: 0x22
        case .batch: 0x30
        case .control(let control): control.rawValue
        }
    }

    /// The name used in the text rendering, e.g. `GET` or `PUSH`.
    public var description: String {
        switch self {
        case .request(let method): method.description
        case .response: "RESPONSE"
        case .error: "ERROR"
        case .push: "PUSH"
        case .message: "MESSAGE"
        case .ack: "ACK"
        case .batch: "BATCH"
        case .control(let control): control.description
        }
    }
}

/// Control frames, reserved in protocol v1 for session setup and resumption.
public enum ControlKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Session start: the server's greeting with the connection id (reserved).
    case hello = 0x40
    /// Resume rooms from given offsets after a reconnect (reserved).
    case resume = 0x41
    /// Subscribe to a room (reserved).
    case subscribe = 0x42
    /// Unsubscribe from a room (reserved).
    case unsubscribe = 0x43

    /// The upper-case name, e.g. `HELLO`.
    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .resume: "RESUME"
        case .subscribe: "SUBSCRIBE"
        case .unsubscribe: "UNSUBSCRIBE"
        }
    }
}
