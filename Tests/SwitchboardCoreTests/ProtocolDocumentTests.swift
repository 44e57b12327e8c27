import Foundation
import Testing
@testable import SwitchboardCore

/// Checks PROTOCOL.md's worked examples byte for byte: each ```frame block holds a frame's text
/// rendering and then its bytes in hex.
@Suite("PROTOCOL.md examples")
struct ProtocolDocumentTests {
    struct Example: CustomStringConvertible, Sendable {
        let rendering: String
        let bytes: [UInt8]
        var description: String { rendering }
    }

    static func examples() throws -> [Example] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("PROTOCOL.md"), encoding: .utf8)
        var examples: [Example] = []
        var block: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "```frame" {
                block = []
            } else if line == "```", let lines = block {
                let hex = lines.dropFirst().joined(separator: " ").split(separator: " ")
                examples.append(Example(rendering: lines.first ?? "", bytes: hex.compactMap { UInt8($0, radix: 16) }))
                block = nil
            } else if block != nil {
                block?.append(String(line))
            }
        }
        return examples
    }

    @Test("the document has an example of every frame kind")
    func coversEveryKind() throws {
        let kinds = Set(try Self.examples().compactMap { try? FrameCodec.decode($0.bytes).kind.description })
        for kind in ["GET", "POST", "RESPONSE", "ERROR", "PUSH", "MESSAGE", "ACK", "BATCH", "HELLO"] {
            #expect(kinds.contains(kind), "no example of \(kind)")
        }
    }

    @Test("the SUBSCRIBE #0 example is the position notice a member left out of push board-7@3:13 gets")
    func positionNoticeExample() throws {
        let example = try #require(try Self.examples().first { $0.rendering == "SUBSCRIBE #0 (40 bytes)" })
        #expect(SubscribeNotice(room: "board-7", epoch: 3, offset: 13).encodedFrame() == example.bytes)
    }

    @Test("each example decodes to its rendering and re-encodes to the same bytes", arguments: try examples())
    func example(_ example: Example) throws {
        let frame = try FrameCodec.decode(example.bytes)
        #expect(frame.description == example.rendering)
        #expect(try FrameCodec.encode(frame) == example.bytes)
    }
}
