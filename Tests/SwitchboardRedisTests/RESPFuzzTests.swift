import Testing
import SwitchboardRedis

/// Feeds the parser random and mutated replies through its fuzzing entry: each must parse, need
/// more data, or fail with a typed error. A trap or hang fails the run.
@Suite("RESP parser under random input")
struct RESPFuzzTests {
    /// SplitMix64: deterministic, so a failure is reproducible from its starting state.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("100,000 random and mutated inputs parse, need more data, or fail with a typed error")
    func randomInputs() {
        var rng = Generator(state: 0x5EED_4ED1)
        let valid = RESPParserTests.samples.map { Array($0.0.utf8) }
        let interesting = Array("+-:$*_#,(!=%~>|?\r\n0123456789tf.e".utf8) + [0x00, 0xFF]
        var parsed = 0
        var failed = 0
        for round in 0..<100_000 {
            var input: [UInt8]
            if round % 4 == 0 {
                input = (0..<Int.random(in: 0..<48, using: &rng)).map { _ in
                    Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
                }
            } else {
                input = valid.randomElement(using: &rng)! + (Bool.random(using: &rng) ? valid.randomElement(using: &rng)! : [])
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    switch Int.random(in: 0..<5, using: &rng) {
                    case 0 where !input.isEmpty:
                        input[Int.random(in: 0..<input.count, using: &rng)] = interesting.randomElement(using: &rng)!
                    case 1 where !input.isEmpty:
                        input[Int.random(in: 0..<input.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                    case 2:
                        input = Array(input.prefix(Int.random(in: 0...input.count, using: &rng)))
                    case 3:
                        input.insert(interesting.randomElement(using: &rng)!, at: Int.random(in: 0...input.count, using: &rng))
                    default:
                        if !input.isEmpty { input.remove(at: Int.random(in: 0..<input.count, using: &rng)) }
                    }
                }
            }
            let result = RESPParser.fuzz(input)
            if let error = result.error {
                failed += 1
                #expect(!error.description.isEmpty, "round \(round): \(input)")
            }
            if !result.values.isEmpty { parsed += 1 }
        }
        // The mutations must exercise both outcomes, or the test proves little.
        #expect(parsed > 10_000)
        #expect(failed > 10_000)
    }
}
