// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that users of Switchboard never download
// benchmark dependencies. Run from this folder: `swift package benchmark`.
let package = Package(
    name: "SwitchboardBenchmarks",
    platforms: [.macOS(.v15)],
    products: [
        // End-to-end load tools (see LOAD.md): `Scripts/load.sh` and `Scripts/connect.sh` run them.
        .executable(name: "switchboard-load", targets: ["SwitchboardLoad"]),
        .executable(name: "switchboard-echo-baseline", targets: ["SwitchboardEchoBaseline"]),
        .executable(name: "switchboard-bench-server", targets: ["SwitchboardBenchServer"]),
        // Fan-out of one broadcast to 10,000 members (see FANOUT.md): `Scripts/fanout.sh` runs it.
        .executable(name: "switchboard-fanout", targets: ["Fanout"]),
        // Publishing work of reliable vs volatile pushes without sockets, for callgrind (see DELIVERY.md).
        .executable(name: "switchboard-publish-cost", targets: ["PublishCost"]),
    ],
    dependencies: [
        .package(name: "Switchboard", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/routing-kit.git", exact: "4.9.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchboardCore", package: "Switchboard"),
            ],
            path: "WireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RouterBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SwitchboardCore", package: "Switchboard"),
                .product(name: "RoutingKit", package: "routing-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "RouterBenchmarks",
            resources: [.copy("Resources/github-routes.txt"), .copy("Resources/github-paths.txt")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ClientBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Switchboard", package: "Switchboard"),
                .product(name: "SwitchboardClient", package: "Switchboard"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "ClientBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // Load tools: plain executables, not ordo-one benchmarks (no plugin).
        .executableTarget(
            name: "SwitchboardLoad",
            dependencies: [
                .product(name: "SwitchboardCore", package: "Switchboard"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "LoadTool"
        ),
        .executableTarget(
            name: "SwitchboardEchoBaseline",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "EchoBaseline"
        ),
        .executableTarget(
            name: "SwitchboardBenchServer",
            dependencies: [
                .product(name: "Switchboard", package: "Switchboard"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "BenchServer"
        ),
        .executableTarget(
            name: "Fanout",
            dependencies: [
                .product(name: "Switchboard", package: "Switchboard"),
                .product(name: "SwitchboardCluster", package: "Switchboard"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            path: "Fanout"
        ),
        .executableTarget(
            name: "PublishCost",
            dependencies: [.product(name: "SwitchboardCore", package: "Switchboard")],
            path: "PublishCost"
        ),
    ],
    swiftLanguageModes: [.v6]
)
