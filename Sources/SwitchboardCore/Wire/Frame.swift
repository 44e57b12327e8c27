/// One decoded frame of wire protocol v1. See PROTOCOL.md for the byte layout of each case.
///
/// ``FrameCodec`` turns frames into bytes and back; `description` is the one-line text rendering
/// used in logs, e.g. `GET #17 /boards/7 (42 bytes)`.
public enum Frame: Sendable, Hashable {
    /// A client's request, answered by a ``Frame/response(_:)`` with the same id.
    case request(RequestFrame)
    /// The answer to a request.
    case response(ResponseFrame)
    /// A protocol-level error: the peer sent something that could not be understood.
    case error(ErrorFrame)
    /// A one-way server-to-client message.
    case push(PushFrame)
    /// A one-way client-to-server message.
    case message(MessageFrame)
    /// A client's acknowledgement of the pushes of a room up to an offset.
    case ack(AckFrame)
    /// Several frames in one WebSocket message, in order. Batches do not nest.
    case batch([Frame])
    /// A reserved control frame.
    case control(ControlFrame)

    /// The frame's kind.
    public var kind: FrameKind {
        switch self {
        case .request(let frame): .request(frame.method)
        case .response: .response
        case .error: .error
        case .push: .push
        case .message: .message
        case .ack: .ack
        case .batch: .batch
        case .control(let frame): .control(frame.kind)
        }
    }
}

/// A request: method, id, url and body.
public struct RequestFrame: Sendable, Hashable {
    /// The request method.
    public var method: Method
    /// Correlates the response; chosen by the client, unique among its requests in flight.
    /// Zero is allowed but conventionally means "no id".
    public var id: UInt32
    /// Path and optional query, percent-encoded, e.g. `/boards/7?fields=name`.
    public var url: String
    /// The body: opaque bytes, JSON by convention.
    public var data: ArraySlice<UInt8>

    /// A request frame.
    public init(method: Method, id: UInt32, url: String, data: ArraySlice<UInt8> = []) {
        self.method = method
        self.id = id
        self.url = url
        self.data = data
    }
}

/// A response to the request with the same id.
public struct ResponseFrame: Sendable, Hashable {
    /// The id of the request this answers.
    public var id: UInt32
    /// The outcome, as an HTTP status.
    public var status: Status
    /// Usually empty; a server may echo or redirect with a url.
    public var url: String
    /// The body: opaque bytes, JSON by convention.
    public var data: ArraySlice<UInt8>

    /// A response frame.
    public init(id: UInt32, status: Status, url: String = "", data: ArraySlice<UInt8> = []) {
        self.id = id
        self.status = status
        self.url = url
        self.data = data
    }
}

/// A protocol-level error; `data` is a UTF-8 JSON object `{"error": "…"}`.
public struct ErrorFrame: Sendable, Hashable {
    /// The id of the request the error is about, or 0 when it could not be read.
    public var id: UInt32
    /// The HTTP status of the error, e.g. 400 for a malformed frame.
    public var status: Status
    /// Usually empty.
    public var url: String
    /// The error body.
    public var data: ArraySlice<UInt8>

    /// An error frame carrying `data` as is.
    public init(id: UInt32, status: Status, url: String = "", data: ArraySlice<UInt8>) {
        self.id = id
        self.status = status
        self.url = url
        self.data = data
    }

    /// An error frame whose body is `{"error": message}`.
    public init(id: UInt32, status: Status, message: String) {
        self.init(id: id, status: status, data: ArraySlice(JSONText.object(["error": message]).utf8))
    }
}

/// A one-way server-to-client message, published to a room.
public struct PushFrame: Sendable, Hashable {
    /// Where the client routes it, e.g. `/boards/7/updated`.
    public var url: String
    /// The room it was published to; empty for a push that is not kept in any room's history.
    public var room: String
    /// Identifies the room's history; changes when the history is lost or reset.
    public var epoch: UInt32
    /// Position in the room's history (first push is 1); 0 when not kept.
    public var offset: UInt64
    /// The body: opaque bytes, JSON by convention.
    public var data: ArraySlice<UInt8>

    /// A push frame.
    public init(url: String, room: String = "", epoch: UInt32 = 0, offset: UInt64 = 0, data: ArraySlice<UInt8> = []) {
        self.url = url
        self.room = room
        self.epoch = epoch
        self.offset = offset
        self.data = data
    }
}

/// A one-way client-to-server message: no response is sent.
public struct MessageFrame: Sendable, Hashable {
    /// A client-chosen id for logs; the server does not answer it.
    public var id: UInt32
    /// Where the server routes it.
    public var url: String
    /// The body: opaque bytes, JSON by convention.
    public var data: ArraySlice<UInt8>

    /// A message frame.
    public init(id: UInt32 = 0, url: String, data: ArraySlice<UInt8> = []) {
        self.id = id
        self.url = url
        self.data = data
    }
}

/// A client's acknowledgement that it has processed a room's pushes up to `offset`.
public struct AckFrame: Sendable, Hashable {
    /// The room acknowledged.
    public var room: String
    /// The epoch of the history the offset belongs to.
    public var epoch: UInt32
    /// The last offset processed.
    public var offset: UInt64

    /// An ack frame.
    public init(room: String, epoch: UInt32, offset: UInt64) {
        self.room = room
        self.epoch = epoch
        self.offset = offset
    }
}

/// A reserved control frame: layout of a request (`kind`, id, url, JSON data), semantics to come.
public struct ControlFrame: Sendable, Hashable {
    /// Which control frame.
    public var kind: ControlKind
    /// Correlation id.
    public var id: UInt32
    /// Url, often empty.
    public var url: String
    /// JSON by convention.
    public var data: ArraySlice<UInt8>

    /// A control frame.
    public init(kind: ControlKind, id: UInt32 = 0, url: String = "", data: ArraySlice<UInt8> = []) {
        self.kind = kind
        self.id = id
        self.url = url
        self.data = data
    }
}
