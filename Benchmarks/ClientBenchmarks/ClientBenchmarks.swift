import Benchmark
import Logging
import Switchboard
import SwitchboardClient

// Request/response round trips through `SwitchboardClient` against an in-process server, beside
// the same requests through a bare SwiftNIO WebSocket client (`BareClient`: one channel, a
// dictionary of promises by id, no queue, timers, retries or state) on the same server in the
// same run. The difference is what the client's safety costs per request.
//
// Each iteration runs 1,000 requests (`scalingFactor: .kilo`), so reported times and malloc
// counts are per request (both sides of the socket: server and client run in this process).

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput, .cpuTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )

    let fixture = ClientFixture()
    let body = Array(repeating: UInt8(ascii: "x"), count: 64)

    Benchmark("Client-echo-sequential", configuration: .init(setup: { try await fixture.start() })) { benchmark in
        let client = try fixture.client
        for _ in benchmark.scaledIterations {
            blackHole(try await client.post("/echo", body))
        }
    }

    Benchmark("Bare-echo-sequential", configuration: .init(setup: { try await fixture.start() })) { benchmark in
        let bare = try fixture.bare
        for _ in benchmark.scaledIterations {
            blackHole(try await bare.request(.post, "/echo", body))
        }
    }

    Benchmark("Client-echo-16-in-flight", configuration: .init(setup: { try await fixture.start() })) { benchmark in
        let client = try fixture.client
        let perTask = benchmark.scaledIterations.count / 16
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    for _ in 0..<perTask { blackHole(try await client.post("/echo", body)) }
                }
            }
            try await group.waitForAll()
        }
    }

    Benchmark("Bare-echo-16-in-flight", configuration: .init(setup: { try await fixture.start() })) { benchmark in
        let bare = try fixture.bare
        let perTask = benchmark.scaledIterations.count / 16
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    for _ in 0..<perTask { blackHole(try await bare.request(.post, "/echo", body)) }
                }
            }
            try await group.waitForAll()
        }
    }
}
