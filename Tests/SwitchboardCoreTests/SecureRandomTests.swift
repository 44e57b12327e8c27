import Testing

@testable import SwitchboardCore

@Suite struct SecureRandomTests {
    @Test func valuesAreDistinctAcrossPoolRefills() {
        // 2,000 draws of 16 bytes take the 4 KiB pool through several refills.
        var seen = Set<String>()
        for _ in 0..<2000 { seen.insert(SecureRandom.hex128()) }
        #expect(seen.count == 2000)
    }

    @Test func prefixedTokenHasThePrefixThen32HexDigits() {
        let token = SecureRandom.hex128(prefix: "~")
        #expect(token.utf8.count == 33)
        #expect(token.hasPrefix("~"))
        #expect(token.utf8.dropFirst().allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
    }

    @Test func everyBitTakesBothValues() {
        var ones: UInt64 = 0
        var zeros: UInt64 = 0
        for _ in 0..<600 {
            let value = SecureRandom.next()
            ones |= value
            zeros |= ~value
        }
        #expect(ones == .max)
        #expect(zeros == .max)
    }

    @Test func epochsAreNonZeroAndVary() {
        let epochs = (0..<1000).map { _ in SecureRandom.nonZeroUInt32() }
        #expect(!epochs.contains(0))
        #expect(Set(epochs).count > 990)
    }

    @Test func drawsFromManyThreadsNeverRepeat() async {
        let tokens = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<500).map { _ in SecureRandom.hex128() } }
            }
            var all: [String] = []
            for await batch in group { all += batch }
            return all
        }
        #expect(tokens.count == 4000)
        #expect(Set(tokens).count == 4000)
    }
}
