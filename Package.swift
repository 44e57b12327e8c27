// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "SwitchboardTesting", targets: ["SwitchboardTesting"]),
        .library(name: "Switchboard", targets: ["Switchboard"]),
        .library(name: "SwitchboardClient", targets: ["SwitchboardClient"]),
        .executable(name: "switchboard", targets: ["SwitchboardCLI"]),
        .library(name: "SwitchboardRedis", targets: ["SwitchboardRedis"]),
        .library(name: "SwitchboardCluster", targets: ["SwitchboardCluster"]),
        // permessage-deflate shared by the server and the client; its API is package-internal,
        // a product only so that the fuzz package (Fuzz/) can reach it with `@testable import`.
        .library(name: "SwitchboardDeflate", targets: ["SwitchboardDeflate"]),
        .executable(name: "switchboard-cluster-node", targets: ["SwitchboardClusterNode"]),
        .executable(name: "switchboard-demo", targets: ["SwitchboardDemo"]),
        .executable(name: "switchboard-autobahn-echo", targets: ["SwitchboardAutobahnEcho"]),
        .executable(name: "switchboard-autobahn-client", targets: ["SwitchboardAutobahnClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        .target(name: "SwitchboardCore"),
        .target(name: "SwitchboardTesting", dependencies: ["SwitchboardCore"]),
        .testTarget(name: "SwitchboardCoreTests", dependencies: ["SwitchboardCore"]),
        .testTarget(name: "SwitchboardTestingTests", dependencies: ["SwitchboardTesting", "SwitchboardCore"]),

        .target(
            name: "SwitchboardDeflate",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .target(
            name: "Switchboard",
            dependencies: [
                "SwitchboardCore",
                "SwitchboardDeflate",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "SwitchboardTests",
            dependencies: [
                "Switchboard",
                "SwitchboardDeflate",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .target(
            name: "TLSTestSupport",
            dependencies: ["Switchboard", .product(name: "NIOSSL", package: "swift-nio-ssl")],
            path: "Tests/TLSTestSupport"
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Switchboard",
                "TLSTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        .target(
            name: "SwitchboardClient",
            dependencies: [
                "SwitchboardCore",
                "SwitchboardDeflate",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SwitchboardClientTests",
            dependencies: [
                "SwitchboardClient",
                "Switchboard",
                "TLSTestSupport",
                "SwitchboardDeflate",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SwitchboardRedis",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RedisTestSupport",
            dependencies: [
                "SwitchboardRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/RedisTestSupport"
        ),
        .testTarget(
            name: "SwitchboardRedisTests",
            dependencies: [
                "SwitchboardRedis",
                "RedisTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        .target(
            name: "SwitchboardCluster",
            dependencies: [
                "Switchboard",
                "SwitchboardRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ClusterTests",
            dependencies: [
                "SwitchboardCluster",
                "RedisTestSupport",
                "SwitchboardClient",
                "SwitchboardRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "SwitchboardClusterNode",
            dependencies: [
                "Switchboard",
                "SwitchboardCluster",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/Cluster",
            exclude: ["README.md", "run.sh"]
        ),

        .executableTarget(
            name: "SwitchboardDemo",
            dependencies: [
                "Switchboard",
                "SwitchboardCluster",
                "SwitchboardRedis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/Demo",
            exclude: ["Public"]
        ),
        .executableTarget(
            name: "SwitchboardAutobahnEcho",
            dependencies: [
                "Switchboard",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/AutobahnEcho"
        ),
        .executableTarget(
            name: "SwitchboardAutobahnClient",
            dependencies: ["SwitchboardClient"],
            path: "Examples/AutobahnClient"
        ),
        .executableTarget(
            name: "SwitchboardCLI",
            dependencies: [
                "SwitchboardClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/CLI"
        ),
    ],
    swiftLanguageModes: [.v6]
)
