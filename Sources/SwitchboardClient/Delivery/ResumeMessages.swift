#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwitchboardCore

/// The JSON of RESUME frames and their answers, as the client writes and reads them
/// (PROTOCOL.md §7).
enum ResumeMessages {
    /// A RESUME's data: `{"resumeToken":"…","rooms":{"board-7":{"epoch":3,"offset":12}}}`.
    struct Request: Encodable {
        var resumeToken: String?
        var rooms: [String: RoomPosition]
    }

    /// The answer's data.
    struct Answer: Decodable {
        struct Room: Decodable {
            var recovered: Bool
            var reason: String?
            var epoch: UInt32?
            var offset: UInt64?
        }

        var sessionId: String
        var resumeToken: String
        var resumed: Bool
        var reason: String?
        var rooms: [String: Room]
    }

    static func encode(_ request: Request) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(request)).map(Array.init) ?? Array("{}".utf8)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from data: some Sequence<UInt8>) -> Value? {
        try? JSONDecoder().decode(Value.self, from: Data(data))
    }
}
