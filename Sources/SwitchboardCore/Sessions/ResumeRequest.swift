import Foundation

/// The data of a RESUME frame: `{"resumeToken":"…","rooms":{"board-7":{"epoch":3,"offset":12}}}`.
/// Both members are optional: without a token no session is claimed (only the rooms are
/// recovered); without rooms only the session's own rooms are restored.
public struct ResumeRequest: Sendable, Hashable, Decodable {
    /// The token from HELLO (or from the last RESUME answer) of the session to take over.
    public var resumeToken: String?
    /// The position the client holds per room: the last `(epoch, offset)` it processed.
    public var rooms: [String: RoomPosition]?

    /// A request.
    public init(resumeToken: String?, rooms: [String: RoomPosition]?) {
        self.resumeToken = resumeToken
        self.rooms = rooms
    }

    /// Why a RESUME's data is refused with 400.
    public static let malformedReason =
        "RESUME data must be JSON {\"resumeToken\":\"…\",\"rooms\":{\"<room>\":{\"epoch\":<u32>,\"offset\":<u64>}}}"

    /// Decodes a RESUME's data; `nil` when it is not of the documented shape.
    public static func decode(_ data: ArraySlice<UInt8>) -> ResumeRequest? {
        try? JSONDecoder().decode(ResumeRequest.self, from: Data(data))
    }
}
