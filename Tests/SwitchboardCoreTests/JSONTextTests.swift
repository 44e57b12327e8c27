import Foundation
import Testing

@testable import SwitchboardCore

@Suite("JSON string literals")
struct JSONTextTests {
    @Test("every string, control characters, quotes, backslashes and non-ASCII included, reads back as itself")
    func roundTrip() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        let values = ["", "plain", "quote \" and \\ backslash", "line\nfeed\r\ttab", controls, "é, 猫, 🙂", "\u{7f}\u{2028}", "end\\"]
        for value in values {
            let literal = JSONText.string(value)
            #expect(try JSONDecoder().decode(String.self, from: Data(literal.utf8)) == value)
            var appended: [UInt8] = Array("x".utf8)
            JSONText.append(value, to: &appended)
            #expect(appended == Array(("x" + literal).utf8))
        }
        #expect(JSONText.string("a\u{01}") == #""a\u0001""#)
        #expect(JSONText.string("é") == "\"é\"")
    }
}
