// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for Switchboard's parsers. They live in their own package, built only with
// special flags, so the main package's build and CI never see them. Build and run them with
// `Scripts/fuzz.sh` (see the README's "Fuzzing and sanitizers" section), which builds with
// `swift build -c debug --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address` (the script says
// why both). Debug builds compile the Switchboard modules with testability, so the targets can
// reach internal parsers through `@testable import`.
let package = Package(
    name: "SwitchboardFuzz",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fuzz-frame", targets: ["FuzzFrame"]),
        .executable(name: "fuzz-batch", targets: ["FuzzBatch"]),
        .executable(name: "fuzz-path-pattern", targets: ["FuzzPathPattern"]),
        .executable(name: "fuzz-url", targets: ["FuzzURL"]),
        .executable(name: "fuzz-resp", targets: ["FuzzRESP"]),
        .executable(name: "fuzz-deflate", targets: ["FuzzDeflate"]),
    ],
    dependencies: [
        .package(name: "Switchboard", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(name: "FuzzFrame", dependencies: [.product(name: "SwitchboardCore", package: "Switchboard")]),
        .executableTarget(name: "FuzzBatch", dependencies: [.product(name: "SwitchboardCore", package: "Switchboard")]),
        .executableTarget(name: "FuzzPathPattern", dependencies: [.product(name: "SwitchboardCore", package: "Switchboard")]),
        .executableTarget(name: "FuzzURL", dependencies: [.product(name: "SwitchboardCore", package: "Switchboard")]),
        .executableTarget(name: "FuzzRESP", dependencies: [.product(name: "SwitchboardRedis", package: "Switchboard")]),
        .executableTarget(
            name: "FuzzDeflate",
            dependencies: [
                .product(name: "Switchboard", package: "Switchboard"),
                .product(name: "SwitchboardDeflate", package: "Switchboard"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
