import Testing
@testable import SwitchboardCore

/// Feeds the decoder random and mutated inputs: each must give a frame that re-encodes to the
/// same bytes, or a typed error. A trap or hang fails the run.
@Suite("Frame decoder under random input")
struct FrameFuzzTests {
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

    static func check(_ input: [UInt8]) -> Bool {
        do {
            let frame = try FrameCodec.decode(input)
            return (try? FrameCodec.encode(frame)) == input
        } catch {
            return !error.description.isEmpty
        }
    }

    @Test("100,000 random and mutated inputs decode to a frame or a typed error")
    func randomInputs() throws {
        var rng = Generator(state: 0x5EED)
        let validFrames = try FrameCodecTests.samples.map { try FrameCodec.encode($0) }
        let interesting: [UInt8] = [0x00, 0x01, 0x07, 0x10, 0x11, 0x20, 0x21, 0x22, 0x30, 0x40, 0x43, 0x7C, 0x7F, 0xFF]
        var accepted = 0
        for round in 0..<100_000 {
            var input: [UInt8]
            if round % 4 == 0 {
                let length = Int.random(in: 0..<48, using: &rng)
                input = (0..<length).map { _ in
                    Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
                }
            } else {
                input = validFrames.randomElement(using: &rng)!
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
            let ok = Self.check(input)
            #expect(ok, "round \(round): \(input)")
            if !ok { return }
            if (try? FrameCodec.decode(input)) != nil { accepted += 1 }
        }
        // The mutations must exercise both outcomes, or the test proves little.
        #expect(accepted > 1_000)
        #expect(accepted < 90_000)
    }
}
