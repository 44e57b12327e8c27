import Benchmark
import SwitchboardCore

// Encode and decode of wire protocol v1 frames (issue 2, item 7).
//
// Each benchmark iteration runs the operation 1,000 times (`scalingFactor: .kilo`), so the
// reported time and malloc counts are per operation. Allocation budgets (issue 2, "Done when"):
// decode ≤ 1 per frame, encode ≤ 1 into a fresh buffer, 0 into a reused one. The budgets are
// enforced by `swift package benchmark thresholds check` against Thresholds/WireBenchmarks.*.
//
// Names have no spaces: the plugin writes threshold files with spaces turned into `_` but
// reads them back under the name as is, so a name with a space never finds its thresholds.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [
            // Allocation counts are exact; any change is a regression (or an improvement to record).
            .mallocCountTotal: .init(absolute: [.p90: 0]),
            // Time on a shared machine is noisy; the thresholds files carry no time figures.
        ]
    )

    for sample in WireSample.all {
        registerWireBenchmarks(sample)
    }
}

/// Registers decode, encode-into-a-fresh-buffer and encode-into-a-reused-buffer for one frame.
func registerWireBenchmarks(_ sample: WireSample) {
    let bytes = sample.bytes
    let frame = sample.frame

    Benchmark("Decode-\(sample.name)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? FrameCodec.decode(bytes))
        }
    }

    Benchmark("Encode-\(sample.name)-fresh") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? FrameCodec.encode(frame))
        }
    }

    Benchmark("Encode-\(sample.name)-reused") { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bytes.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            try? FrameCodec.encode(frame, into: &buffer)
            blackHole(buffer)
        }
    }
}
