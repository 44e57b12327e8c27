import Testing

@testable import SwitchboardCore

@Suite struct PackedHexIDTests {
    @Test func thirtyTwoLowercaseHexDigitsArePackedAndComeBackTheSame() {
        for _ in 0..<200 {
            let text = SecureRandom.hex128()
            let id = PackedHexID(text)
            guard case .bits = id else {
                Issue.record("not packed: \(text)")
                return
            }
            #expect(id.text == text)
            #expect(id == PackedHexID(text))
        }
        #expect(PackedHexID("0123456789abcdef0000000000000001").text == "0123456789abcdef0000000000000001")
    }

    @Test func otherTextIsKeptAsItIsAndNeverEqualsAPackedOne() {
        let lower = "0123456789abcdef0123456789abcdef"
        for other in [lower.uppercased(), String(lower.dropLast()), lower + "0", "", "zz23456789abcdef0123456789abcdef", "é123456789abcdef0123456789abcde"] {
            let id = PackedHexID(other)
            guard case .text(let kept) = id else {
                Issue.record("packed: \(other)")
                continue
            }
            #expect(kept == other)
            #expect(id != PackedHexID(lower))
        }
    }

    @Test func randomIdsDiffer() {
        #expect(Set((0..<1000).map { _ in PackedHexID.random() }).count == 1000)
    }
}
